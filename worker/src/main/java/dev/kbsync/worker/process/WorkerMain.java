package dev.kbsync.worker.process;

import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.stop.StopDeadline;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
     * Starts a worker with {@code listener}; on SIGTERM, SIGINT or SIGHUP stops it gracefully within {@code
     * shutdown.grace} (running jobs finish, results are delivered), then exits the JVM as the signal has it ({@link
     * StopSignals}), or with {@link StopOutcome#EXIT_PAST_BOUND} if the stop was cut short at that bound.
     */
    public static void run(PhaseListener listener) throws Exception {
        run(System.getenv(), listener);
    }

    /** As {@link #run(PhaseListener)} with settings (and git credentials) from {@code env}. */
    public static void run(Map<String, String> env, PhaseListener listener) throws Exception {
        run(loadOrExit(env), env, listener);
    }

    /**
     * The settings in {@code env} (and the YAML file it names), an agent among them one this host can run; a bad one
     * exits 2 with one line.
     */
    public static WorkerConfig loadOrExit(Map<String, String> env) {
        try {
            WorkerConfig config = WorkerConfigLoader.load(env);
            config.requireRunnableAgents(System.getenv("PATH")); // the JVM looks a bare name up on its own PATH
            return config;
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
        AtomicReference<StopOutcome> stopped = new AtomicReference<>();
        Runtime.getRuntime() // any other exit; a no-op once the signal's stop ran (main exits with its status)
                .addShutdownHook(new Thread(
                        () -> {
                            if (stopped.get() == null && stop(worker, vertx, config, stopped)) {
                                Runtime.getRuntime().halt(StopOutcome.EXIT_PAST_BOUND); // a hook cannot exit
                            }
                        },
                        "kbsync-worker-shutdown"));
        signals.await();
        System.exit(stop(worker, vertx, config, stopped) ? StopOutcome.EXIT_PAST_BOUND : signals.exitCode());
    }

    /**
     * Stops the worker, then its Vert.x, within {@code shutdown.grace} from now; whether the stop was cut short at that
     * bound (a WARN named what was under way). Runs once: {@code stopped} takes the outcome.
     */
    private static synchronized boolean stop(
            WorkerProcess worker, Vertx vertx, WorkerConfig config, AtomicReference<StopOutcome> stopped) {
        if (stopped.get() != null) {
            return stopped.get() instanceof StopOutcome.PastBound;
        }
        StopDeadline deadline = StopDeadline.after(config.shutdownGrace());
        StopOutcome outcome = worker.stop(deadline);
        if (!deadline.finished(vertx.close())) {
            log.warn(
                    "Vert.x did not close within shutdown.grace ({} s); exiting anyway",
                    deadline.bound().toSeconds());
            List<String> unfinished =
                    new ArrayList<>(outcome instanceof StopOutcome.PastBound past ? past.unfinished() : List.of());
            unfinished.add("Vert.x's close");
            outcome = new StopOutcome.PastBound(deadline.bound(), unfinished);
        }
        stopped.set(outcome);
        return outcome instanceof StopOutcome.PastBound;
    }
}
