package dev.kbsync.worker.process;

import dev.kbsync.worker.run.Phase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Test-only worker JVM: configured from the environment like {@link WorkerMain}; at phase {@code CRASH_AT_PHASE} it
 * writes the file {@code CRASH_MARKER} and blocks forever, waiting for the test's kill -9.
 */
public final class CrashingWorkerMain {
    private CrashingWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Phase crashAt = Phase.valueOf(System.getenv("CRASH_AT_PHASE"));
        Path marker = Path.of(System.getenv("CRASH_MARKER"));
        WorkerMain.run((phase, unitId) -> {
            if (phase == crashAt) {
                try {
                    Files.writeString(marker, unitId);
                    Thread.sleep(Long.MAX_VALUE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }
}
