package dev.kbsync.worker.process;

import dev.kbsync.testing.ChildJvm;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.run.Phase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test-only worker JVM: configured from the environment like {@link WorkerMain}; at phase {@code CRASH_AT_PHASE} it
 * writes the file {@code CRASH_MARKER} and blocks forever, waiting for the test's kill -9; with {@code PAUSE_MILLIS}
 * it blocks that long and goes on (a stop signal sent meanwhile meets the job in that phase).
 */
public final class CrashingWorkerMain {
    private CrashingWorkerMain() {}

    /**
     * Starts this main in a child JVM as worker "doomed" of {@code coordinator}, crashing at {@code phase}; {@code
     * extraEnv} adds worker settings. Its output goes to {@code child-<phase>.log} beside the marker.
     */
    static Process spawn(
            CoordinatorFixture coordinator, Phase phase, Path marker, Path cache, Map<String, String> extraEnv)
            throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(ChildJvm.command(List.of(), CrashingWorkerMain.class.getName(), List.of()));
        Map<String, String> env = builder.environment();
        env.put("KBSYNC_COORDINATOR_URL", coordinator.url().toString());
        env.put("KBSYNC_COORDINATOR_TOKEN", CoordinatorFixture.WORKER_TOKEN);
        env.put("KBSYNC_WORKER_ID", "doomed");
        env.put("KBSYNC_CACHE_DIR", cache.toString());
        env.put("KBSYNC_WORKER_HTTP_PORT", "0");
        env.put("KBSYNC_POLL_WAIT", "1s");
        env.putAll(extraEnv);
        env.put("CRASH_AT_PHASE", phase.name());
        env.put("CRASH_MARKER", marker.toString());
        return builder.redirectErrorStream(true)
                .redirectOutput(marker.resolveSibling("child-" + phase + ".log").toFile())
                .start();
    }

    public static void main(String[] args) throws Exception {
        Phase crashAt = Phase.valueOf(System.getenv("CRASH_AT_PHASE"));
        Path marker = Path.of(System.getenv("CRASH_MARKER"));
        long pause = Optional.ofNullable(System.getenv("PAUSE_MILLIS"))
                .map(Long::parseLong)
                .orElse(Long.MAX_VALUE);
        WorkerMain.run((phase, unitId) -> {
            if (phase == crashAt) {
                try {
                    Files.writeString(marker, unitId);
                    Thread.sleep(pause);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }
}
