package dev.kbsync.faults.cluster;

import dev.kbsync.worker.process.WorkerMain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * A worker JVM configured from the environment like {@code WorkerMain}, with a trap for nemeses: when the file
 * {@code FAULT_TRAP} names the phase a job reaches, the file is removed, {@code FAULT_TRAPPED} is written (the phase
 * and the unit) and the job's thread waits {@value #HOLD_MS} ms there, long enough for the nemesis to kill or freeze
 * the process in that phase.
 */
public final class FaultWorkerMain {
    static final long HOLD_MS = 4000;

    private FaultWorkerMain() {}

    public static void main(String[] args) throws Exception {
        Path trap = Path.of(System.getenv("FAULT_TRAP"));
        Path trapped = Path.of(System.getenv("FAULT_TRAPPED"));
        WorkerMain.run((phase, unitId) -> {
            try {
                if (phase.name().equals(Files.readString(trap).strip()) && Files.deleteIfExists(trap)) {
                    Files.writeString(trapped, phase + " " + unitId);
                    Thread.sleep(HOLD_MS);
                }
            } catch (NoSuchFileException noTrap) {
                // nothing to do in this phase
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
