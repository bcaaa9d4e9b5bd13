package dev.kbsync.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrossProcessLockIT {
    @TempDir
    Path root;

    private final List<Process> children = new ArrayList<>();
    private final LocalKbLock locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    @Test
    void shouldNeverOverlapCriticalSectionsOfThreeJvms() throws Exception {
        Path kb = Files.createDirectories(root.resolve("team/.git")).getParent();
        Path log = root.resolve("sections.log");
        int rounds = 15;
        for (int i = 0; i < 3; i++) {
            spawn(kb, log, rounds, 5);
        }
        for (Process child : children) {
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).isZero();
        }
        List<String[]> events = Files.readAllLines(log).stream()
                .map(line -> line.split(" "))
                .sorted(Comparator.comparingLong(e -> Long.parseLong(e[2])))
                .toList();
        assertThat(events).hasSize(3 * rounds * 2);
        for (int i = 0; i < events.size(); i += 2) {
            assertThat(events.get(i)[0]).as("event %d", i).isEqualTo("enter");
            assertThat(events.get(i + 1)[0]).as("event %d", i + 1).isEqualTo("exit");
            assertThat(events.get(i + 1)[1]).isEqualTo(events.get(i)[1]);
        }
        assertThat(events.stream().map(e -> e[1]).distinct()).hasSize(3);
    }

    @Test
    void shouldTakeTheLockPromptlyAfterTheHolderIsKilled() throws Exception {
        Path kb = Files.createDirectories(root.resolve("team/.git")).getParent();
        Path log = root.resolve("held.log");
        Process child = spawn(kb, log, 0, 0);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Files.exists(log) && !Files.readString(log).isEmpty());
        String operation = "hanging_" + child.pid();

        assertThat(locks.holder(kb)).map(LockHolder::pid).contains(child.pid());
        assertThatThrownBy(() -> locks.acquire(kb, "create_note_user_42", Duration.ofMillis(300)))
                .isInstanceOf(LockTimeoutException.class)
                .hasMessageContaining("held by " + operation + " (pid " + child.pid() + ") for ");

        assertThat(interruptedWhileWaitingForTheFile(kb)).isInstanceOf(LockInterruptedException.class);

        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertThat(locks.holder(kb)).isEmpty();
        try (LocalKbLock.Handle held = locks.acquire(kb, "create_note_user_42", Duration.ofSeconds(10))) {
            assertThat(locks.holder(kb)).map(LockHolder::operation).contains(held.operation());
        }
    }

    private Throwable interruptedWhileWaitingForTheFile(Path kb) throws InterruptedException {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                locks.acquire(kb, "interrupted_op", Duration.ofSeconds(60)).close();
            } catch (RuntimeException e) {
                failure.set(e);
            }
        });
        waiter.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> waiter.getState() == Thread.State.TIMED_WAITING);
        waiter.interrupt();
        waiter.join(10_000);
        return failure.get();
    }

    private Process spawn(Path kb, Path log, int rounds, int holdMillis) throws IOException {
        Process child = new ProcessBuilder(ChildJvm.command(
                        List.of(),
                        LockContenderMain.class.getName(),
                        List.of(kb.toString(), log.toString(), Integer.toString(rounds), Integer.toString(holdMillis))))
                .redirectErrorStream(true)
                .redirectOutput(
                        root.resolve("child-" + children.size() + ".out").toFile())
                .start();
        children.add(child);
        return child;
    }
}
