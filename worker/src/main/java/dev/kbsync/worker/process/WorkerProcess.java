package dev.kbsync.worker.process;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.lock.LocalLockConfig;
import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.stop.StopDeadline;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.apply.AgentApplier;
import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.apply.Appliers;
import dev.kbsync.worker.apply.NoteApplier;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.credentials.CredentialResolver;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.fallback.ResultOutbox;
import dev.kbsync.worker.run.CheckoutCache;
import dev.kbsync.worker.run.JobRunner;
import dev.kbsync.worker.run.PhaseListener;
import dev.kbsync.worker.run.PublishCycle;
import dev.kbsync.worker.run.PushRetry;
import dev.kbsync.worker.run.RunnerSettings;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running worker: {@code concurrency} poll slots on dedicated threads ({@link PollLoops}), each running one job at a
 * time (jobs of different KBs in parallel; a job waiting for an unreachable remote lets another loop poll meanwhile), its presence kept renewed at the coordinator (GET /v1/workers), plus the health server
 * (listening before the first poll). {@link #stop()} stops polling, lets running jobs finish within most of the
 * grace period, then makes the rest stop before their push and report {@code WORKER_SHUTDOWN}, all within the grace
 * period; a job that a poll already in flight brings once the stop began is given back to the coordinator unrun
 * (offered again at once).
 */
public final class WorkerProcess {
    private static final Logger log = LoggerFactory.getLogger(WorkerProcess.class);

    private final WorkerConfig config;
    private final KbsyncClient client;
    private final ModeTracker modes;
    private final ResultOutbox outbox;
    private final JobRunner runner;
    private final CheckoutCache checkouts;
    private final WorkerMetrics metrics;
    private final PollLoops slots;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicBoolean abandoning = new AtomicBoolean();
    /** The outcome of the first {@link #stop} call, which a later call waits for. */
    private final CompletableFuture<StopOutcome> stopped = new CompletableFuture<>();

    private final AtomicInteger active = new AtomicInteger();
    private final Presence presence;
    private final PresenceRenewer renewer;
    private final CacheGuard cache;
    private HttpServer server;

    private WorkerProcess(
            Vertx vertx,
            WorkerConfig config,
            Map<String, String> env,
            PhaseListener listener,
            ProcessMetrics processMetrics) {
        this.config = config;
        this.client = KbsyncClient.create(vertx, config.clientOptions());
        this.modes = new ModeTracker(config.fallback());
        this.outbox = new ResultOutbox(
                client, modes, new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(250), Duration.ofSeconds(10)));
        Clock clock = Clock.systemUTC();
        CredentialResolver credentials = new CredentialResolver(config.credentials(), env, clock);
        credentials.genericTokenWarning().ifPresent(log::warn);
        config.stopWarning().ifPresent(log::warn);
        this.checkouts = new CheckoutCache(config.cacheDir(), credentials::forKb, config.cacheMaxOpenCheckouts());
        this.cache = new CacheGuard(checkouts.disk(), config.cacheMinFreeMegabytes());
        this.metrics =
                new WorkerMetrics(processMetrics, modes::degraded, client, config.coordinatorUrls(), checkouts.disk());
        this.presence = new Presence(config.concurrency(), config.kinds(), clock);
        this.renewer = new PresenceRenewer(vertx, client.async(), config.workerId(), presence);
        this.runner = new JobRunner(
                vertx,
                client,
                modes,
                outbox,
                checkouts,
                new LocalKbLock(LocalLockConfig.DEFAULTS, clock),
                new Appliers(new NoteApplier(config.noteAgent(), clock), new AgentApplier(config.agent())),
                new PublishCycle(
                        new PushRetry(config.pushRetries(), Duration.ofMillis(100)), listener, metrics.cycles()),
                new RunnerSettings(
                        config.emailDomain(),
                        config.maintainEvery(),
                        config.batchMax(),
                        listener,
                        config.deadlineMargin(),
                        config.noteAgent().map(AgentCommand::timeout)));
        this.slots = new PollLoops(
                new SlotContext(
                        config.workerId(),
                        config.pollWait(),
                        client,
                        modes,
                        runner,
                        metrics,
                        stopping,
                        abandoning,
                        active,
                        presence,
                        renewer,
                        cache),
                config.concurrency());
    }

    /** Starts the poll slots and the presence renewer; only once the health server listens. */
    private void begin() {
        slots.start();
        renewer.start();
    }

    /** Lets go of what a worker that did not start made; it never polled, so it holds nothing. */
    private void discard() {
        slots.shutdown();
        client.async().close();
    }

    /** Starts polling and the health server, with a metrics registry of its own. */
    public static Future<WorkerProcess> start(
            Vertx vertx, WorkerConfig config, Map<String, String> env, PhaseListener listener) {
        return start(vertx, config, env, listener, new ProcessMetrics());
    }

    /**
     * Starts the health server, then polling; the worker's meters join {@code metrics} (the production process passes
     * the registry its Vert.x instance reports into, {@link ProcessMetrics#vertx()}). A health server that cannot listen
     * (a taken port) fails the start before any poll or presence report: such a worker takes no job.
     */
    public static Future<WorkerProcess> start(
            Vertx vertx, WorkerConfig config, Map<String, String> env, PhaseListener listener, ProcessMetrics metrics) {
        WorkerProcess worker = new WorkerProcess(vertx, config, env, listener, metrics);
        HealthServer health = new HealthServer(worker::health, worker::notReady, worker.metrics::prometheus);
        return health.listen(vertx, config.httpHost(), config.httpPort())
                .onFailure(notListening -> worker.discard())
                .map(server -> {
                    worker.server = server;
                    worker.begin();
                    log.info("worker {} started: {}", config.workerId(), config);
                    return worker;
                });
    }

    /** The health server's port. */
    public int httpPort() {
        return server.actualPort();
    }

    /** {@code coordinated} or {@code degraded}. */
    public String mode() {
        return modes.mode();
    }

    /** The coordinator the worker talks to now (the first of {@code coordinator.url} while it answers). */
    public URI coordinator() {
        return client.coordinator();
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    /** This worker's id ({@code workerId}), as its presence and logs name it. */
    public String id() {
        return config.workerId();
    }

    /** As {@link #stop(StopDeadline)} within {@code shutdown.grace} from now. */
    public StopOutcome stop() {
        return stop(StopDeadline.after(config.shutdownGrace()));
    }

    /**
     * Graceful stop within {@code deadline} (the process's {@code shutdown.grace}); blocks (call it off the event loop).
     * Polling stops; running jobs get the deadline less its last quarter to finish, then those still running stop
     * before their push and report {@code WORKER_SHUTDOWN}, and results are delivered, within what is left. The drain,
     * sent first, makes the coordinators end this worker's polls in flight; a slot whose poll the drain did not end
     * waits for its answer and gives back a job it brings. Past the deadline one WARN names what was
     * still under way, and the caller exits anyway: a job cut short was not pushed, and one whose result is not
     * delivered runs again once its lease expires. A later call waits for the first one's outcome within its own
     * deadline.
     */
    public StopOutcome stop(StopDeadline deadline) {
        if (!stopping.compareAndSet(false, true)) {
            return firstStop(deadline);
        }
        try {
            StopOutcome outcome = drain(deadline);
            stopped.complete(outcome);
            return outcome;
        } catch (RuntimeException | Error e) {
            stopped.completeExceptionally(e);
            throw e;
        }
    }

    /** The first stop's outcome, or past {@code deadline} that stop as still under way. */
    private StopOutcome firstStop(StopDeadline deadline) {
        try {
            return stopped.get(deadline.left().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) { // still under way, or it failed
            return new StopOutcome.PastBound(deadline.bound(), List.of("the worker's first stop"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StopOutcome.PastBound(deadline.bound(), List.of("the worker's first stop"));
        }
    }

    private StopOutcome drain(StopDeadline deadline) {
        log.info(
                "worker {} stopping: no new polls; {} jobs running (at most {} s in all: shutdown.grace)",
                config.workerId(),
                active.get(),
                deadline.bound().toSeconds());
        presence.draining();
        renewer.now();
        slots.shutdown();
        boolean drained = slots.awaitEnd(deadline.leftBefore(deadline.bound().dividedBy(4)));
        if (!drained) {
            log.warn("three quarters of shutdown.grace over; running jobs and agents stop before their push"
                    + " (WORKER_SHUTDOWN)");
            abandoning.set(true);
            runner.stopRunning();
            drained = slots.awaitEnd(deadline.left());
        }
        renewer.stop();
        outbox.awaitDelivered(deadline.left());
        List<String> unfinished = drained ? new ArrayList<>() : new ArrayList<>(runner.underWay());
        int polls = drained ? 0 : slots.running() - unfinished.size();
        if (polls > 0) {
            unfinished.add(polls + " poll loop(s): a poll in flight or a retry's wait");
        }
        outbox.undelivered().forEach(job -> unfinished.add("the result of job " + job));
        if (server != null) {
            server.close();
        }
        if (drained) { // never under a job still running: it may yet use its checkout until the JVM ends
            checkouts.close();
        }
        client.close();
        if (unfinished.isEmpty()) {
            log.info(
                    "worker {} stopped in {} ms",
                    config.workerId(),
                    deadline.took().toMillis());
            return new StopOutcome.Stopped(deadline.took());
        }
        log.warn(
                "worker {}'s stop did not finish within {} s (shutdown.grace): still under way: {}; exiting anyway."
                        + " Nothing accepted is lost: a job cut short was not pushed, and a job whose result is not"
                        + " delivered runs again once its lease expires (a commit it pushed is found by its trailer)",
                config.workerId(),
                deadline.bound().toSeconds(),
                String.join(", ", unfinished));
        return new StopOutcome.PastBound(deadline.bound(), unfinished);
    }

    /** Why the worker takes no jobs now (stopping, or its cache disk too full); empty while it takes them. */
    private Optional<String> notReady() {
        return stopping.get() ? Optional.of("stopping") : cache.refusal();
    }

    private JsonObject health() {
        return new JsonObject()
                .put("status", stopping.get() ? "stopping" : "ok")
                .put("mode", modes.mode())
                .put("workerId", config.workerId())
                .put("activeJobs", active.get())
                .put("pendingResults", outbox.pending());
    }
}
