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

    /**
     * Starts a worker with {@code listener}; on SIGTERM, SIGINT or SIGHUP stops it gracefully (running jobs finish
     * within the grace period, results are delivered), then exits the JVM ({@link StopSignals}).
     */
    public static void run(PhaseListener listener) throws Exception {
        run(System.getenv(), listener);
    }

    /** As {@link #run(PhaseListener)} with settings (and git credentials) from {@code env}. */
    public static void run(Map<String, String> env, PhaseListener listener) throws Exception {
        run(loadOrExit(env), env, listener);
    }

    /** The settings in {@code env} (and the YAML file it names); a bad one exits 2 with one line. */
    public static WorkerConfig loadOrExit(Map<String, String> env) {
        try {
            return WorkerConfigLoader.load(env);
        } catch (IllegalArgumentException e) {
            // one line for the operator on stderr, as the coordinator says it (not a log record)
            System.err.println("error: kbsync worker: bad configuration: " + e.getMessage());
            System.exit(2);
            throw e;
        }
    }

    /**
     * As {@link #run(Map, PhaseListener)} with {@code config}; a failed start (a taken port) is thrown, its Vert.x
     * closed.
     */
    public static void run(WorkerConfig config, Map<String, String> env, PhaseListener listener) throws Exception {
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        WorkerProcess worker;
        try {
            worker = WorkerProcess.start(vertx, config, env, listener, metrics)
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            vertx.close();
            throw e;
        }
        StopSignals signals = StopSignals.install();
        Runtime.getRuntime() // any other exit; a no-op once the signal's stop ran
                .addShutdownHook(new Thread(() -> stop(worker, vertx), "kbsync-worker-shutdown"));
        signals.await();
        stop(worker, vertx);
        System.exit(signals.exitCode());
    }

    private static void stop(WorkerProcess worker, Vertx vertx) {
        worker.stop();
        try {
            vertx.close().await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("Vert.x did not close within 30 s: {}", e.toString());
        }
    }
}
