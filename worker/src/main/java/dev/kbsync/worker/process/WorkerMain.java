package dev.kbsync.worker.process;

import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java dev.kbsync.worker.process.WorkerMain}: a worker configured from the environment (see docs/operations.md). */
public final class WorkerMain {
    private static final Logger log = LoggerFactory.getLogger(WorkerMain.class);

    private WorkerMain() {}

    public static void main(String[] args) throws Exception {
        run(System.getenv(), PhaseListener.NONE);
    }

    /** Starts a worker with {@code listener} and stops it gracefully on SIGTERM; blocks until then. */
    public static void run(PhaseListener listener) throws Exception {
        run(System.getenv(), listener);
    }

    /** As {@link #run(PhaseListener)} with settings (and git credentials) from {@code env}. */
    public static void run(Map<String, String> env, PhaseListener listener) throws Exception {
        WorkerConfig config;
        try {
            config = WorkerConfigLoader.load(env);
        } catch (IllegalArgumentException e) {
            log.error("invalid worker configuration: {}", e.getMessage());
            System.exit(2);
            return;
        }
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        WorkerProcess worker = WorkerProcess.start(vertx, config, env, listener, metrics)
                .toCompletionStage()
                .toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            worker.stop();
                            vertx.close();
                        },
                        "kbsync-worker-shutdown"));
        Thread.currentThread().join();
    }
}
