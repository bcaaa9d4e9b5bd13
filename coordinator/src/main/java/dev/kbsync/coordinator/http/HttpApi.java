package dev.kbsync.coordinator.http;

import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;

import dev.kbsync.coordinator.auth.Access;
import dev.kbsync.coordinator.auth.AuthHandler;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.metrics.RouteRequests;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;

/**
 * The HTTP API v1 (see docs/api.md): the route table, each route's auth and Redis gate, one failure mapping. Routes are
 * added through {@link RouteTable}; the server's own handlers around the router are {@link ServerHandlers}.
 */
public final class HttpApi {
    /** The longest a request waits for Redis (beyond a long poll's wait) before it is answered 503. */
    public static final Duration REDIS_DEADLINE = Duration.ofSeconds(4);

    private final Vertx vertx;
    private final AuthHandler auth;
    private final PrometheusMetrics metrics;
    private final RouteRequests unmatched;

    private final boolean metricsPublic;
    private final boolean authEnabled;
    private final int bodyLimit;
    private final JobRoutes jobs;
    private final SubmitRoutes submissions;
    private final CancelRetryRoutes cancelRetry;
    private final LeaseRoutes leases;
    private final QueueRoutes queues;
    private final KbRemovalRoutes removals;
    private final WorkerRoutes workers;
    private final OpsRoutes ops;
    private final RedisGate gate;
    private final Optional<DegradedMode> degraded;
    private final ReadRoutes reads;
    private final RequestDeadlines deadlines;
    private final Stopping stopping = new Stopping();

    public HttpApi(
            Vertx vertx,
            CoordinatorConfig config,
            CoordinatorServices services,
            AuthHandler auth,
            PrometheusMetrics metrics,
            RedisHealth health,
            Optional<DegradedMode> degraded,
            KbMirrors mirrors) {
        this.vertx = vertx;
        this.auth = auth;
        this.metrics = metrics;
        this.unmatched = metrics.routeRequests("unmatched");
        this.metricsPublic = config.auth().metricsPublic();
        this.authEnabled = config.auth().enabled();
        this.bodyLimit = config.http().bodyLimitBytes();
        this.jobs = new JobRoutes(services, config.http().sseKeepAlive(), degraded);
        this.submissions = new SubmitRoutes(services, metrics, config, degraded);
        this.cancelRetry = new CancelRetryRoutes(services, jobs, submissions);
        this.degraded = degraded;
        this.leases = new LeaseRoutes(
                services,
                config.leases().ttl(),
                config.leases().maxHold(),
                config.http().sseKeepAlive(),
                degraded,
                new LeaseChannel.Bound(health, deadline(config)),
                metrics.leaseChannels());
        ReadRegistrations registrations = new ReadRegistrations(services.kbs(), mirrors);
        this.queues = new QueueRoutes(
                services,
                config.http().sseKeepAlive(),
                degraded,
                registrations::registered,
                config.auth().scopedAdminMaxKbs());
        this.removals = new KbRemovalRoutes(services.kbs());
        this.workers = new WorkerRoutes(services, degraded, health);
        this.ops = new OpsRoutes(health, metrics, degraded);
        this.gate = new RedisGate(health, deadline(config));
        this.reads = new ReadRoutes(registrations, mirrors);
        this.deadlines = new RequestDeadlines(vertx, config.http().requestRead(), metrics);
    }

    /** The server's connection handler: {@link ServerHandlers#connections}. */
    public Handler<HttpConnection> connectionHandler() {
        return ServerHandlers.connections(deadlines);
    }

    /**
     * The stop began: later requests and the long polls still waiting are answered 503 COORDINATOR_STOPPING, event
     * streams are closed; other requests under way go on (the server's shutdown waits for them).
     */
    public void stop() {
        stopping.stop();
    }

    /** The server's request handler: a new {@link #router()} behind {@link ServerHandlers#requests}. */
    public Handler<HttpServerRequest> handler() {
        return ServerHandlers.requests(router());
    }

    /** A new router with every route of the API. */
    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(deadlines);
        router.route().handler(stopping);
        if (!authEnabled) {
            router.route().handler(new LocalCallers());
        }
        RouteTable table = new RouteTable(router, metrics, unmatched, bodyLimit);
        Handler<RoutingContext> reader = auth.require(Access.READ);
        Handler<RoutingContext> streamReader = auth.requireOnStream(Access.READ);
        Handler<RoutingContext> streamClient = auth.requireOnStream(Access.SUBMIT);
        Handler<RoutingContext> client = auth.require(Access.SUBMIT);
        Handler<RoutingContext> worker = auth.requireEveryKb(Access.WORK);
        Handler<RoutingContext> clientOrWorker = auth.require(Access.SUBMIT, Access.WORK);
        Handler<RoutingContext> admin = auth.require(Access.ADMIN);
        Handler<RoutingContext> open = RoutingContext::next;
        Handler<RoutingContext> redis = gate.handler();
        Handler<RoutingContext> longPoll = gate.handler(Duration.ofMillis(Inputs.MAX_WAIT_MS));
        Handler<RoutingContext> none = RoutingContext::next;
        // submissions go to the journal instead while degraded mode accepts them (per KB: see SubmitRoutes.journals)
        Handler<RoutingContext> submit = degraded.isPresent() ? gate.handler(submissions::journals) : redis;
        // a worker's poll and result are served from the journal while Redis is unreachable (and until the Redis fences
        // are raised above the local tokens handed out meanwhile)
        // a job still in the journal is read from it (while Redis is unreachable and while the journal drains); its
        // stream and cancel answer 503 JOB_RESTORING until it is in Redis
        Handler<RoutingContext> jobRead = degraded.isPresent() ? gate.handler(jobs::readsJournal) : redis;
        Handler<RoutingContext> work = degraded.isPresent() ? gate.handler(degraded.get()::serving) : redis;
        Handler<RoutingContext> workPoll = degraded.isPresent()
                ? gate.handler(Duration.ofMillis(Inputs.MAX_WAIT_MS), degraded.get()::serving)
                : longPoll;
        // a worker's presence lives in Redis; while it is unreachable, a drain still ends the polls on the journal
        Handler<RoutingContext> presence = degraded.isPresent() ? gate.handler(workers::presenceWithoutRedis) : redis;
        // route table         Redis                                                    who may call    JSON body
        table.on(submit, POST, "/v1/kbs/:kb/notes", client, submissions.submitNote());
        table.on(submit, POST, "/v1/kbs/:kb/agent-tasks", client, submissions.submitAgentTask());
        table.on(redis, GET, "/v1/jobs", reader, jobs.list());
        table.on(jobRead, GET, "/v1/jobs/:id", reader, false, jobs::handleGetJob);
        table.on(jobRead, DELETE, "/v1/jobs/:id", client, false, cancelRetry::handleCancel);
        table.on(jobRead, GET, "/v1/jobs/:id/events", streamReader, false, jobs::handleJobEvents);
        table.on(jobRead, POST, "/v1/jobs/:id/retry", client, false, cancelRetry::handleRetry);
        table.on(work, POST, "/v1/jobs/:id/result", worker, workers.result());
        table.on(workPoll, POST, "/v1/workers/:workerId/poll", worker, workers.poll());
        table.on(work, POST, "/v1/leases/:id/extend", worker, workers.extend());
        table.on(work, POST, "/v1/workers/:workerId/give-back", worker, workers.giveBack());
        table.on(presence, PUT, "/v1/workers/:workerId", worker, workers.renew());
        table.on(redis, GET, "/v1/workers", reader, false, workers::handleList);
        table.on(redis, GET, "/v1/kbs", reader, false, queues::handleListKbs);
        table.on(redis, PUT, "/v1/kbs/:kb", admin, queues.putKb());
        table.on(redis, DELETE, "/v1/kbs/:kb", admin, false, removals::handleRemove);
        table.on(redis, GET, "/v1/kbs/:kb/queue", reader, false, queues::handleQueue);
        table.on(redis, GET, "/v1/kbs/:kb/recent-jobs", reader, false, queues::handleRecent);
        table.on(redis, GET, "/v1/kbs/:kb/events", streamReader, false, queues::handleKbEvents);
        table.on(redis, GET, "/v1/kbs/:kb/files/*", reader, false, reads::handleFile);
        table.on(redis, GET, "/v1/kbs/:kb/tree", reader, false, reads::handleTree);
        table.on(redis, GET, "/v1/kbs/:kb/log", reader, false, reads::handleLog);
        table.on(redis, GET, "/v1/events", streamReader, queues.allEvents());
        table.on(redis, POST, "/v1/kbs/:kb/leases", client, leases.request());
        table.on(none, GET, "/v1/leases/channel", client, false, leases::handleChannel); // before /v1/leases/:id
        table.on(redis, GET, "/v1/leases/:id", reader, false, leases::handleGet);
        table.on(redis, GET, "/v1/leases/:id/events", streamClient, false, leases::handleEvents);
        table.on(work, POST, "/v1/leases/:id/heartbeat", clientOrWorker, leases.heartbeat());
        table.on(redis, DELETE, "/v1/leases/:id", client, false, leases::handleRelease);
        table.on(redis, POST, "/v1/admin/kbs/:kb/force-release", admin, false, leases::handleForceRelease);
        table.on(none, GET, "/healthz", open, false, ops::handleHealth);
        table.on(none, GET, "/readyz", open, false, ops::handleReady);
        table.on(
                none,
                GET,
                "/metrics",
                metricsPublic ? open : auth.requireEveryKb(Access.READ),
                false,
                ops::handleMetrics);
        table.on(none, GET, "/v1/whoami", reader, false, new WhoAmI());
        table.on(none, GET, "/v1/openapi.json", open, false, ops::handleOpenApi);
        table.on(none, GET, "/", open, false, new Dashboard());

        router.route().failureHandler(Failures.handler(metrics::redisUnavailable));
        table.answerUnmatched();
        return router;
    }

    /**
     * The longest a request waits for Redis before it is answered 503 REDIS_UNAVAILABLE: {@link #REDIS_DEADLINE}, or
     * longer where writes wait for replicas.
     */
    private static Duration deadline(CoordinatorConfig config) {
        Duration replicas = config.redis().waitTimeout().plus(REDIS_DEADLINE);
        return config.redis().waitReplicas() == 0 ? REDIS_DEADLINE : replicas;
    }
}
