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
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** The HTTP API v1 (see docs/api.md): the route table, per-route auth and body handling, one failure mapping. */
public final class HttpApi {
    /** The longest a request waits for Redis (beyond a long poll's wait) before it is answered 503. */
    public static final Duration REDIS_DEADLINE = Duration.ofSeconds(4);

    private final Vertx vertx;
    private final AuthHandler auth;
    private final PrometheusMetrics metrics;
    private final RouteRequests unmatched;
    /** What each route path takes, for a 405's {@code Allow}. */
    private final RouteMethods methods = new RouteMethods();

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
        this.workers = new WorkerRoutes(services, degraded);
        this.ops = new OpsRoutes(health, metrics, degraded);
        this.gate = new RedisGate(health, deadline(config));
        this.reads = new ReadRoutes(registrations, mirrors);
        this.deadlines = new RequestDeadlines(vertx, config.http().requestRead(), metrics);
    }

    /**
     * The server's connection handler: a connection that does not deliver a whole request within http.requestReadSeconds
     * of opening or of its previous answer is closed ({@link RequestDeadlines}), and a request in an HTTP version the
     * server does not speak is refused ({@link HttpVersionGuard}).
     */
    public Handler<HttpConnection> connectionHandler() {
        Handler<HttpConnection> deadline = deadlines.connections();
        return connection -> {
            HttpVersionGuard.install(connection);
            deadline.handle(connection);
        };
    }

    /**
     * The stop began: later requests and the long polls still waiting are answered 503 COORDINATOR_STOPPING, event
     * streams are closed; other requests under way go on (the server's shutdown waits for them).
     */
    public void stop() {
        stopping.stop();
    }

    /**
     * The server's request handler: the {@link #router()}, behind a check the router cannot make itself (it fails an
     * HTTP/1.1 request without a {@code Host} header with an exception, which would answer 500).
     */
    public Handler<HttpServerRequest> handler() {
        Router router = router();
        return request -> {
            if (request.version() != HttpVersion.HTTP_1_0
                    && request.headers().get("Host") == null
                    && request.authority() == null) {
                Responses.end(
                        request.response().setStatusCode(400).putHeader("Content-Type", "application/json"),
                        Buffer.buffer(Failures.error("BAD_REQUEST", "a Host header is required")
                                .encode()));
                return;
            }
            router.handle(request);
        };
    }

    /**
     * The server's handler for a request its HTTP decoder could not read (a request line or headers over Vert.x's
     * limits, a garbled request line, an HTTP version other than 1.0 and 1.1): the status Vert.x would give (414, 431,
     * else 400; 505 for the version), in the API's error shape, and the connection closed, since the rest of its bytes
     * cannot be framed.
     */
    public static Handler<HttpServerRequest> invalidRequestHandler() {
        return request -> {
            Throwable cause = request.decoderResult().cause();
            HttpError error = cause instanceof HttpVersionGuard.Unsupported
                    ? new HttpError(505, "HTTP_VERSION_NOT_SUPPORTED", cause.getMessage())
                    : HttpError.forStatus(
                            cause instanceof TooLongHttpLineException
                                    ? 414
                                    : cause instanceof TooLongHttpHeaderException ? 431 : 400);
            Responses.closing(request.response(), error, request.connection());
        };
    }

    /** A new router with every route of the API. */
    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(deadlines);
        router.route().handler(stopping);
        if (!authEnabled) {
            router.route().handler(new LocalCallers());
        }
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
        // route table         Redis                                                    who may call    JSON body
        on(router, submit, POST, "/v1/kbs/:kb/notes", client, submissions.submitNote());
        on(router, submit, POST, "/v1/kbs/:kb/agent-tasks", client, submissions.submitAgentTask());
        on(router, redis, GET, "/v1/jobs", reader, false, jobs::handleList);
        on(router, jobRead, GET, "/v1/jobs/:id", reader, false, jobs::handleGetJob);
        on(router, jobRead, DELETE, "/v1/jobs/:id", client, false, cancelRetry::handleCancel);
        on(router, jobRead, GET, "/v1/jobs/:id/events", streamReader, false, jobs::handleJobEvents);
        on(router, jobRead, POST, "/v1/jobs/:id/retry", client, false, cancelRetry::handleRetry);
        on(router, work, POST, "/v1/jobs/:id/result", worker, true, workers::handleResult);
        on(router, workPoll, POST, "/v1/workers/:workerId/poll", worker, true, workers::handlePoll);
        on(router, work, POST, "/v1/leases/:id/extend", worker, true, workers::handleExtend);
        on(router, work, POST, "/v1/workers/:workerId/give-back", worker, workers.giveBack());
        on(router, redis, PUT, "/v1/workers/:workerId", worker, true, workers::handleRenew);
        on(router, redis, GET, "/v1/workers", reader, false, workers::handleList);
        on(router, redis, GET, "/v1/kbs", reader, false, queues::handleListKbs);
        on(router, redis, PUT, "/v1/kbs/:kb", admin, true, queues::handlePutKb);
        on(router, redis, DELETE, "/v1/kbs/:kb", admin, false, removals::handleRemove);
        on(router, redis, GET, "/v1/kbs/:kb/queue", reader, false, queues::handleQueue);
        on(router, redis, GET, "/v1/kbs/:kb/recent-jobs", reader, false, queues::handleRecent);
        on(router, redis, GET, "/v1/kbs/:kb/events", streamReader, false, queues::handleKbEvents);
        on(router, redis, GET, "/v1/kbs/:kb/files/*", reader, false, reads::handleFile);
        on(router, redis, GET, "/v1/kbs/:kb/tree", reader, false, reads::handleTree);
        on(router, redis, GET, "/v1/kbs/:kb/log", reader, false, reads::handleLog);
        on(router, redis, GET, "/v1/events", streamReader, false, queues::handleAllEvents);
        on(router, redis, POST, "/v1/kbs/:kb/leases", client, leases.request());
        on(router, none, GET, "/v1/leases/channel", client, false, leases::handleChannel); // before /v1/leases/:id
        on(router, redis, GET, "/v1/leases/:id", reader, false, leases::handleGet);
        on(router, redis, GET, "/v1/leases/:id/events", streamClient, false, leases::handleEvents);
        on(router, work, POST, "/v1/leases/:id/heartbeat", clientOrWorker, leases.heartbeat());
        on(router, redis, DELETE, "/v1/leases/:id", client, false, leases::handleRelease);
        on(router, redis, POST, "/v1/admin/kbs/:kb/force-release", admin, false, leases::handleForceRelease);
        on(router, none, GET, "/healthz", open, false, ops::handleHealth);
        on(router, none, GET, "/readyz", open, false, ops::handleReady);
        on(
                router,
                none,
                GET,
                "/metrics",
                metricsPublic ? open : auth.requireEveryKb(Access.READ),
                false,
                ops::handleMetrics);
        on(router, none, GET, "/v1/openapi.json", open, false, ops::handleOpenApi);
        on(router, none, GET, "/", open, false, new Dashboard());

        router.route().failureHandler(ctx -> {
            if (RedisHealth.isUnavailable(ctx.failure())) {
                metrics.redisUnavailable();
            }
            Failures.handle(ctx);
        });
        for (int status : new int[] {400, 404, 405}) {
            router.errorHandler(status, ctx -> unmatched(ctx, status));
        }
        return router;
    }

    private void on(
            Router router,
            Handler<RoutingContext> redisGate,
            HttpMethod method,
            String path,
            Handler<RoutingContext> guard,
            boolean jsonBody,
            Handler<RoutingContext> handler) {
        for (HttpMethod each : withHead(method)) {
            guarded(router, each, path, guard, jsonBody).handler(redisGate).handler(handler);
        }
    }

    /**
     * {@code method}, and HEAD beside a GET (RFC 9110: HEAD wherever GET is supported). Vert.x sends a HEAD's answer
     * without its body; an event stream's HEAD ends after its headers ({@link Sse}).
     */
    private static List<HttpMethod> withHead(HttpMethod method) {
        return method.equals(GET) ? List.of(GET, HttpMethod.HEAD) : List.of(method);
    }

    /** A route whose JSON body (or optional one) is read and validated before its Redis gate ({@link Checked}). */
    private void on(
            Router router,
            Handler<RoutingContext> redisGate,
            HttpMethod method,
            String path,
            Handler<RoutingContext> guard,
            Checked<?> checked) {
        Handler<RoutingContext> media = checked.bodyOptional() ? Bodies.requireJsonIfAny() : Bodies.requireJson();
        guarded(router, method, path, guard, Optional.of(media))
                .handler(checked.check())
                .handler(redisGate)
                .handler(checked.handler());
    }

    private Route guarded(
            Router router, HttpMethod method, String path, Handler<RoutingContext> guard, boolean jsonBody) {
        return guarded(router, method, path, guard, jsonBody ? Optional.of(Bodies.requireJson()) : Optional.empty());
    }

    /**
     * A route counted, its body read (if it takes one: {@code media} then checks its Content-Type), its caller and its
     * path ids checked; the Redis gate and handler come next.
     */
    private Route guarded(
            Router router,
            HttpMethod method,
            String path,
            Handler<RoutingContext> guard,
            Optional<Handler<RoutingContext>> media) {
        methods.add(method, path);
        Route route =
                router.route(method, path).handler(new RequestCounter(metrics.routeRequests(method.name(), path)));
        if (media.isPresent()) {
            // A form or multipart body is refused before the body handler would decode it (a malformed one failed in
            // Netty's decoder and answered 500).
            route.handler(Bodies.refuseForms());
            // Vert.x Web requires the body handler before authentication: an oversize body is 413 even without a token.
            route.handler(BodyHandler.create(false).setBodyLimit(bodyLimit));
        }
        route.handler(guard);
        media.ifPresent(route::handler);
        return route.handler(PathIds.of(path));
    }

    /**
     * The longest a request waits for Redis before it is answered 503 REDIS_UNAVAILABLE: {@link #REDIS_DEADLINE}, or
     * longer where writes wait for replicas.
     */
    private static Duration deadline(CoordinatorConfig config) {
        Duration replicas = config.redis().waitTimeout().plus(REDIS_DEADLINE);
        return config.redis().waitReplicas() == 0 ? REDIS_DEADLINE : replicas;
    }

    private void unmatched(RoutingContext ctx, int status) {
        unmatched.count(status);
        if (status == 405) {
            String allowed = methods.allowed(ctx.request().path());
            if (!allowed.isEmpty()) {
                ctx.response().putHeader("Allow", allowed);
            }
        }
        HttpError error = HttpError.forStatus(status);
        Responses.json(ctx, status, Failures.error(error.code(), error.getMessage()));
    }
}
