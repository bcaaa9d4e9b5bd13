package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.RedisExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kbsync up} stopped by Ctrl-C while it is still starting (its Redis SIGSTOPped, so the start waits for it):
 * it says it stops, stops what it started once Redis answers, and exits 130, leaving no temporary directory behind.
 */
class UpInterruptedStartIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldStopWhatItStartedWhenInterruptedWhileStarting(@TempDir Path data, @TempDir Path tmp) throws Exception {
        List<String> args =
                List.of("up", "--port", "0", "--workers", "1", "--data-dir", data.toString(), "--redis", redis.uri());
        // a build started in the background inherits SIGINT ignored, and so would kbsync: then SIGTERM
        boolean interruptible = !UpProcess.sigintIgnoredHere();
        redis.process().pause();
        try (UpProcess up = UpProcess.spawn(
                KbsyncCli.class,
                Path.of("target", "UpInterruptedStartIT"),
                "interrupted-start",
                args,
                Map.of("JAVA_TOOL_OPTIONS", "-Djava.io.tmpdir=" + tmp))) {
            try {
                awaitFile(data.resolve("logs/kbsync.log"), up);
                Thread.sleep(1500); // the start waits for the paused Redis now
                assertThat(up.output()).as("still starting").doesNotContain("kbsync is up");
                up.signal(interruptible ? "INT" : "TERM");
                Thread.sleep(500);
            } finally {
                redis.process().resume();
            }
            int status = up.awaitExit(Duration.ofSeconds(90));

            assertThat(status).as(up.output() + "\n" + up.errors()).isEqualTo(interruptible ? 130 : 143);
            assertThat(up.output()).contains("stopping kbsync").contains("kbsync stopped");
            assertThat(mirrors(tmp)).as("temporary directories left in " + tmp).isEmpty();
        }
    }

    private static void awaitFile(Path file, UpProcess up) throws InterruptedException {
        long deadline = System.nanoTime() + UpProcess.START.toNanos();
        while (!Files.exists(file)) {
            if (!up.alive() || System.nanoTime() > deadline) {
                throw new AssertionError("no " + file + ":\n" + up.output() + "\n" + up.errors());
            }
            Thread.sleep(20);
        }
    }

    private static List<Path> mirrors(Path tmp) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            return files.filter(f -> f.getFileName().toString().startsWith("kbsync-mirrors-"))
                    .toList();
        }
    }
}
