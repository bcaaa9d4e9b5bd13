package dev.kbsync.faults.cluster;

import dev.kbsync.faults.client.Pause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** One worker JVM of the cluster ({@link FaultWorkerMain}) with its trap files and its cache dir. */
public final class WorkerNode implements AutoCloseable {
    private final JvmProcess jvm;
    private final Path trap;
    private final Path trapped;

    private WorkerNode(JvmProcess jvm, Path trap, Path trapped) {
        this.jvm = jvm;
        this.trap = trap;
        this.trapped = trapped;
    }

    static WorkerNode start(String id, Path dir, Path log, Map<String, String> env) {
        Path trap = dir.resolve("trap");
        Path trapped = dir.resolve("trapped");
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("KBSYNC_WORKER_ID", id);
        all.put("KBSYNC_CACHE_DIR", dir.resolve("cache").toString());
        all.put("FAULT_TRAP", trap.toString());
        all.put("FAULT_TRAPPED", trapped.toString());
        return new WorkerNode(JvmProcess.start(id, FaultWorkerMain.class.getName(), all, log), trap, trapped);
    }

    public JvmProcess jvm() {
        return jvm;
    }

    /**
     * Arms the trap at {@code phase} and waits up to {@code waitMs} for a job to reach it; true when one did (it then
     * waits there for {@link FaultWorkerMain#HOLD_MS}). The trap is disarmed either way.
     */
    public boolean trapAt(String phase, long waitMs) {
        try {
            Files.deleteIfExists(trapped);
            Files.writeString(trap, phase);
            long deadline = System.currentTimeMillis() + waitMs;
            while (System.currentTimeMillis() < deadline) {
                if (Files.exists(trapped)) {
                    return true;
                }
                Pause.millis(20);
            }
            Files.deleteIfExists(trap);
            return Files.exists(trapped);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        jvm.close();
    }

    @Override
    public String toString() {
        return jvm.toString();
    }
}
