package dev.kbsync.lock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;

/**
 * A second JVM for {@link CrossProcessLockIT}: {@code <kb> <log> <rounds> <holdMillis>} takes the KB lock
 * {@code rounds} times and appends {@code enter|exit <pid> <nanoTime>} lines; with {@code rounds = 0} it takes the
 * lock once, writes {@code held <pid>} and hangs until killed.
 */
public final class LockContenderMain {
    private LockContenderMain() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Path kb = Path.of(args[0]);
        Path log = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        long holdMillis = Long.parseLong(args[3]);
        LocalKbLock locks = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());
        long pid = ProcessHandle.current().pid();
        if (rounds == 0) {
            locks.acquire(kb, "hanging_" + pid, Duration.ofSeconds(60));
            append(log, "held " + pid);
            Thread.sleep(Long.MAX_VALUE);
        }
        for (int i = 0; i < rounds; i++) {
            try (LocalKbLock.Handle held = locks.acquire(kb, "contender_" + pid, Duration.ofSeconds(120))) {
                append(log, "enter " + pid + " " + System.nanoTime());
                Thread.sleep(holdMillis);
                append(log, "exit " + pid + " " + System.nanoTime() + " " + held.operation());
            }
        }
    }

    private static void append(Path log, String line) throws IOException {
        Files.writeString(
                log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
