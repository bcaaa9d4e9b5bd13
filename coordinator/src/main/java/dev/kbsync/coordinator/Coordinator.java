package dev.kbsync.coordinator;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.auth.AuthHandler;
import dev.kbsync.coordinator.auth.TokenAuthenticator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.http.HttpApi;
import dev.kbsync.coordinator.http.ServerHandlers;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.PendingServices;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import dev.kbsync.coordinator.tls.CertificateReloader;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running coordinator: Redisson client, services, configured KBs registered, HTTP server listening. With a
 * degraded-mode journal it also starts while Redis does not answer: it listens in degraded mode after at most {@link
 * #CONNECT_WAIT} and finishes starting in the background once Redis answers ({@link RedisLink}).
 */
public final class Coordinator {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    /**
     * How long a coordinator with a journal waits for Redis at start before it listens in degraded mode (less when the
     * attempt fails sooner).
     */
    static final Duration CONNECT_WAIT = Duration.ofSeconds(2);
    /** The longest a stop waits for requests under way: past a request's Redis deadline, it is answered by then. */
    static final Duration DRAIN = HttpApi.REDIS_DEADLINE.plusSeconds(1);

    private final RedisLink link;
    private final PendingServices services;
    private final HttpServer server;
    private final HttpApi api;
    private final Optional<CertificateReloader> tls;
    private final RedisHealth health;
    private final Optional<DegradedMode> degraded;
    private final Reads reads;
    private final StopSteps stopping = new StopSteps();

    private Coordinator(
            RedisLink link,
            PendingServices services,
            HttpServer server,
            HttpApi api,
            Optional<CertificateReloader> tls,
            RedisHealth health,
            Optional<DegradedMode> degraded,
            Reads reads) {
        this.health = health;
        this.degraded = degraded;
        this.reads = reads;
        this.link = link;
        this.services = services;
        this.server = server;
        this.api = api;
        this.tls = tls;
    }

    /** Starts a coordinator backed by the Redis engine, with a metrics registry of its own. */
    public static Future<Coordinator> start(Vertx vertx, CoordinatorConfig config) {
        return start(vertx, config, ServicesFactory.redisEngine(), new ProcessMetrics());
    }

    /**
     * Starts a coordinator backed by the Redis engine whose meters join {@code metrics}; the production process passes
     * the registry its Vert.x instance reports into ({@link ProcessMetrics#vertx()}).
     */
    public static Future<Coordinator> start(Vertx vertx, CoordinatorConfig config, ProcessMetrics metrics) {
        return start(vertx, config, ServicesFactory.redisEngine(), metrics);
    }

    /** Starts a coordinator with the given services (tests pass a stand-in for the engine). */
    public static Future<Coordinator> start(Vertx vertx, CoordinatorConfig config, ServicesFactory factory) {
        return start(vertx, config, factory, new ProcessMetrics());
    }

    /**
     * Without a journal: fails unless Redis answers. With one: the first attempt is given {@link #CONNECT_WAIT}; when
     * Redis does not answer meanwhile the coordinator listens in degraded mode and keeps trying in the background.
     */
    private static Future<Coordinator> start(
            Vertx vertx, CoordinatorConfig config, ServicesFactory factory, ProcessMetrics process) {
        if (!config.auth().enabled()) {
            log.warn(
                    "authentication is OFF (allowed because http.host={} is loopback)",
                    config.http().host());
        }
        if (config.tokensInClearText()) {
            log.warn(
                    "http.host={} is not a loopback address and TLS is off: bearer tokens, notes and job results cross"
                            + " the network in clear text; set http.tls.certFile and http.tls.keyFile, or put a TLS proxy"
                            + " in front",
                    config.http().host());
        }
        PrometheusMetrics metrics = new PrometheusMetrics(process);
        RedisLink link = new RedisLink(vertx, config, factory, metrics);
        Future<RedisLink.Connected> first = link.connect();
        Future<Optional<RedisLink.Connected>> ready =
                config.degraded().journalDir().isPresent()
                        ? within(vertx, first, CONNECT_WAIT)
                        : first.map(Optional::of);
        return ready.compose(connected -> wire(vertx, config, link, metrics, connected)
                        .onSuccess(coordinator -> {
                            if (connected.isEmpty()) {
                                link.keepTrying(first, coordinator::connected);
                            }
                        }))
                .onFailure(e -> link.stop());
    }

    /**
     * The first attempt's connection, or empty when Redis refused it or did not answer within {@code wait} (degraded
     * mode); fails when Redis refused for a reason (the start fails as without a journal).
     */
    private static Future<Optional<RedisLink.Connected>> within(
            Vertx vertx, Future<RedisLink.Connected> first, Duration wait) {
        Promise<Optional<RedisLink.Connected>> outcome = Promise.promise();
        long timer = vertx.setTimer(wait.toMillis(), t -> outcome.tryComplete(Optional.empty()));
        first.onComplete(r -> {
            vertx.cancelTimer(timer);
            if (r.succeeded()) {
                outcome.tryComplete(Optional.of(r.result()));
            } else if (RedisLink.unreachable(r.cause())) {
                outcome.tryComplete(Optional.empty());
            } else {
                outcome.tryFail(r.cause());
            }
        });
        return outcome.future();
    }

    private static Future<Coordinator> wire(
            Vertx vertx,
            CoordinatorConfig config,
            RedisLink link,
            PrometheusMetrics metrics,
            Optional<RedisLink.Connected> connected) {
        AuthHandler auth = config.auth().enabled()
                ? AuthHandler.enabled(new TokenAuthenticator(config.auth().tokens()))
                : AuthHandler.disabled();
        PendingServices services = new PendingServices();
        connected.ifPresent(c -> services.attach(c.services()));
        // probes answer once the engine's services are attached: no request passes the Redis gate before
        RedisHealth health = new RedisHealth(
                vertx,
                () -> services.attached() ? link.ping() : Future.failedFuture("the coordinator is not connected yet"),
                connected.isPresent());
        metrics.redisUp(health::up);
        Reads reads = Reads.start(vertx, config.reads(), services.services());
        return degraded(vertx, config, services.services(), health, metrics)
                .compose(degraded -> listen(vertx, config, link, services, metrics, auth, health, degraded, reads)
                        .onFailure(e -> degraded.ifPresent(DegradedMode::close)))
                .onFailure(e -> reads.close());
    }

    /**
     * The degraded mode when {@code degraded.journalDir} is set: its journal opened (and replayed), knowing the
     * configured KBs and those an earlier run knew; synced with the registry whenever Redis answers (now, when it does,
     * and after each outage), so it forgets a KB removed while this coordinator did not hear of it.
     */
    private static Future<Optional<DegradedMode>> degraded(
            Vertx vertx,
            CoordinatorConfig config,
            CoordinatorServices services,
            RedisHealth health,
            PrometheusMetrics metrics) {
        if (config.degraded().journalDir().isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        return DegradedMode.open(
                        vertx,
                        config.degraded().journalDir().get(),
                        config.degraded().maxEntries(),
                        config.leases().maxHold(),
                        health,
                        services.jobs(),
                        config.kbs())
                .compose(mode -> {
                    services.kbs().whenRemoved(mode::forget); // removed here or through another coordinator
                    services.kbs().whenRemovalsUnheard(() -> sync(mode, services, null)); // subscribed again
                    services.kbs().whenListed(ids -> sync(mode, services, ids)); // read every few seconds
                    health.onChange(up -> {
                        if (up) {
                            sync(mode, services, null);
                        }
                    });
                    metrics.degraded(mode::accepting, mode::pending);
                    return (health.up() ? sync(mode, services, null) : Future.<Void>succeededFuture())
                            .map(Optional.of(mode));
                });
    }

    /**
     * Syncs the degraded mode's known KBs with the registry, within {@link #CONNECT_WAIT}; a failed or late read leaves
     * them as they are (the next time Redis answers syncs them).
     */
    private static Future<Void> sync(DegradedMode mode, CoordinatorServices services, List<KbId> listed) {
        return mode.sync(services.kbs(), listed)
                .timeout(CONNECT_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .recover(e -> {
                    log.warn(
                            "the registered KBs could not be read ({}): degraded mode keeps the KBs it knew until Redis"
                                    + " answers again",
                            e.toString());
                    return Future.succeededFuture();
                });
    }

    private static Future<Coordinator> listen(
            Vertx vertx,
            CoordinatorConfig config,
            RedisLink link,
            PendingServices services,
            PrometheusMetrics metrics,
            AuthHandler auth,
            RedisHealth health,
            Optional<DegradedMode> degraded,
            Reads reads) {
        HttpApi api = new HttpApi(vertx, config, services.services(), auth, metrics, health, degraded, reads.mirrors());
        // No HTTP/2 upgrade over plain HTTP (h2c): the JDK's HttpClient asks for one on every new connection, and
        // upgraded connections garbled about one large answer in seven (OpsApiIT). Such clients go on in HTTP/1.1.
        // No WebSocket compression either: a compressed lease-channel frame of a few KiB could inflate to many MiB
        // before the frame bound applies, holding the event loop (and every request on it) meanwhile. Frames with
        // reserved bits are then a protocol error (close 1002), as RFC 6455 has it without an extension.
        HttpServerOptions options = new HttpServerOptions()
                .setHttp2ClearTextEnabled(false)
                .setPerMessageWebSocketCompressionSupported(false)
                .setPerFrameWebSocketCompressionSupported(false);
        Future<Optional<CertificateReloader>> tls = config.tls()
                .map(t -> CertificateReloader.load(vertx, t, options).map(Optional::of))
                .orElse(Future.succeededFuture(Optional.empty()));
        return tls.compose(reloader -> vertx.createHttpServer(options)
                .connectionHandler(api.connectionHandler())
                .requestHandler(api.handler())
                .invalidRequestHandler(ServerHandlers.invalidRequestHandler())
                .listen(config.http().port(), config.http().host())
                .map(server -> {
                    reloader.ifPresent(r -> r.watch(server));
                    log.info(
                            "coordinator {} listening on {}://{}:{} ({} KBs from config){}",
                            config.coordinatorId(),
                            reloader.isPresent() ? "https" : "http",
                            config.http().host(),
                            server.actualPort(),
                            config.kbs().size(),
                            services.attached()
                                    ? ""
                                    : " in degraded mode: Redis does not answer yet; it finishes starting once"
                                            + " Redis does");
                    return new Coordinator(link, services, server, api, reloader, health.start(), degraded, reads);
                }));
    }

    /** Redis answered after the start: the engine's services take over, and the journal goes into Redis. */
    private void connected(RedisLink.Connected connected) {
        services.attach(connected.services());
        health.check(); // Redis answers: the degraded mode syncs its known KBs with the registry
    }

    /** The port the HTTP server listens on (the real one when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    /**
     * The services behind the HTTP API, for an embedding process (e.g. {@code kbsync up} at start); they answer 503
     * REDIS_UNAVAILABLE until Redis answered.
     */
    public CoordinatorServices services() {
        return services.services();
    }

    /**
     * The read mirrors the KB reads are served from: a test holds one KB's read threads through them with reads of its
     * own.
     */
    public KbMirrors mirrors() {
        return reads.mirrors();
    }

    /**
     * Stops taking requests (later ones, and long polls still waiting, are answered 503 COORDINATOR_STOPPING) and
     * drains those under way for up to {@link #DRAIN}; then the reads, the degraded mode, the services and the Redisson
     * client (or the attempts to reach Redis): Redis serves every request until it is answered. A process bounds the
     * whole with {@link BoundedStop}.
     */
    public Future<Void> stop() {
        tls.ifPresent(CertificateReloader::stop);
        api.stop();
        return stopping.run(
                        "the HTTP drain (requests under way)",
                        () -> server.shutdown(DRAIN.toMillis(), TimeUnit.MILLISECONDS))
                .eventually(() -> {
                    health.stop();
                    Future<Void> journal = degraded.map(d -> stopping.run("the journal's close", d::stop))
                            .orElse(Future.succeededFuture());
                    reads.close();
                    return journal;
                })
                .eventually(link::stop);
    }

    /** The steps of a {@link #stop} begun and not finished, in the order they began. */
    List<String> stopUnderWay() {
        List<String> all = new ArrayList<>(stopping.underWay());
        all.addAll(link.stopUnderWay());
        return all;
    }

    /** What a stop cut short leaves in the degraded-mode journal, as the end of a sentence ("" without a journal). */
    String journalNote() {
        return degraded.map(d -> "; the " + d.pending() + " job(s) in the degraded-mode journal are on disk and are"
                        + " restored into Redis at the next start")
                .orElse("");
    }
}
