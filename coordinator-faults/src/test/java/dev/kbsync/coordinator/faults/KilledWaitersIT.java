package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.testing.ChildJvm;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.redisson.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 2's kill -9: two waiters live in another JVM (its own engine, keeping them alive) queued between waiters of
 * this one; the child is SIGKILLed and the holder releases. The remaining waiters are granted in order within the
 * waiter TTL (3 s) plus the dead waiters' 1 s lease TTLs (in case they are granted before being dropped) plus slack.
 */
@TimingSensitive
class KilledWaitersIT {
    private static final Logger LOG = LoggerFactory.getLogger(KilledWaitersIT.class);
    private static final KbId KB = KbId.of("killed");
    private static final Duration CALL = Duration.ofSeconds(10);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldDrainTheQueueWhenAProcessWithTwoWaitersIsKilled(@TempDir Path dir) throws Exception {
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redis.uri());
        try (Node node = Node.start(redisson, Node.config("parent"))) {
            node.register(KB.value());
            Lease held = Node.get(node.leases().request(KB, "holder", Duration.ofSeconds(30)), CALL);
            assertThat(held.state()).isEqualTo(LeaseState.GRANTED);
            List<Section> sections = Collections.synchronizedList(new ArrayList<>());
            List<Thread> live = new ArrayList<>(List.of(waiter(node, "p0", sections)));
            Process child = startChild(dir.resolve("child.out"), "c0", "c1");
            live.add(waiter(node, "p1", sections));
            live.add(waiter(node, "p2", sections));

            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            long killed = System.nanoTime();
            Node.get(node.leases().release(held.id()), CALL);

            await().atMost(Duration.ofSeconds(15)).until(() -> sections.size() == 3);
            live.forEach(KilledWaitersIT::join);
            List<Section> ordered = sections.stream()
                    .sorted(Comparator.comparingLong(Section::enter))
                    .toList();
            LOG.info(
                    "two waiters killed with their JVM: queue drained {} ms after the kill (last grant)",
                    TimeUnit.NANOSECONDS.toMillis(ordered.get(2).enter() - killed));
            assertThat(ordered).extracting(Section::holder).containsExactly("p0", "p1", "p2");
            assertThat(Section.overlaps(sections)).isEmpty();
        }
    }

    /** A live waiter of this JVM, queued now, that holds 20 ms once granted. */
    private static Thread waiter(Node node, String name, List<Section> sections) {
        Lease waiting = Node.get(node.leases().request(KB, name, Duration.ofSeconds(10)), CALL);
        return Holder.thread(name, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                Lease lease = Node.get(node.leases().heartbeat(waiting.id()), CALL);
                if (lease.state() == LeaseState.GRANTED) {
                    long enter = System.nanoTime();
                    Holder.pause(20);
                    sections.add(new Section(KB.value(), name, lease.fencingToken(), enter, System.nanoTime()));
                    Node.get(node.leases().release(lease.id()), CALL);
                    return;
                }
                Holder.pause(200);
            }
        });
    }

    /** Starts {@link WaiterProcess} in a child JVM with this test's classpath; returns once its waiters are queued. */
    private static Process startChild(Path out, String... names) throws IOException {
        List<String> args = new ArrayList<>(List.of(redis.uri(), KB.value()));
        args.addAll(List.of(names));
        List<String> command = ChildJvm.command(List.of(), WaiterProcess.class.getName(), args);
        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        await().atMost(Duration.ofSeconds(90)).until(() -> !child.isAlive() || ready(out));
        assertThat(child.isAlive()).as("child JVM running; output in " + out).isTrue();
        return child;
    }

    private static boolean ready(Path out) {
        try {
            return Files.readAllLines(out).stream().anyMatch(l -> l.startsWith(WaiterProcess.READY + " "));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void join(Thread thread) {
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
