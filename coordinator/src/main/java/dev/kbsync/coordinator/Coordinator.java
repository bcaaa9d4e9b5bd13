package dev.kbsync.coordinator;

import dev.kbsync.api.KbConfig;
import dev.kbsync.coordinator.auth.AuthHandler;
import dev.kbsync.coordinator.auth.TokenAuthenticator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.http.HttpApi;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.snapshot.FetchAuth;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import dev.kbsync.coordinator.snapshot.LandingWatch;
import dev.kbsync.coordinator.tls.CertificateReloader;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.redisson.api.RedissonClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One running coordinator: Redisson client, services, configured KBs registered, HTTP server listening. */
public final class Coordinator {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private static final int READ_THREADS = 4;

    private final Vertx vertx;
    private final RedissonClient redisson;
    private final ServicesFactory.Running services;
    private final HttpServer server;
    private final Optional<CertificateReloader> tls;
    private final RedisHealth health;
    private final Optional<DegradedMode> degraded;
    private final Reads reads;

    private Coordinator(
            Vertx vertx,
            RedissonClient redisson,
            ServicesFactory.Running services,
            HttpServer server,
            Optional<CertificateReloader> tls,
            RedisHealth health,
            Optional<DegradedMode> degraded,
            Reads reads) {
        this.health = health;
        this.degraded = degraded;
        this.reads = reads;
        this.vertx = vertx;
        this.redisson = redisson;
        this.services = services;
        this.server = server;
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
        return RedisClients.create(vertx, config, factory).compose(redisson -> {
            PrometheusMetrics metrics = new PrometheusMetrics(process);
            return factory.start(vertx, redisson, config.engine(), metrics)
                    .compose(running -> wire(vertx, config, redisson, running, metrics)
                            .onFailure(e -> running.stop().get()))
                    .onFailure(e -> RedisClients.shutdown(vertx, redisson));
        });
    }

    private static Future<Coordinator> wire(
            Vertx vertx,
            CoordinatorConfig config,
            RedissonClient redisson,
            ServicesFactory.Running running,
            PrometheusMetrics metrics) {
        AuthHandler auth = config.auth().enabled()
                ? AuthHandler.enabled(new TokenAuthenticator(config.auth().tokens()))
                : AuthHandler.disabled();
        RedisHealth health = new RedisHealth(vertx, () -> RedisClients.ping(vertx, redisson));
        metrics.redisUp(health::up);
        Reads reads = Reads.start(vertx, config.reads(), running.services());
        return degraded(vertx, config, running, health, metrics)
                .compose(degraded -> listen(vertx, config, redisson, running, metrics, auth, health, degraded, reads)
                        .onFailure(e -> degraded.ifPresent(DegradedMode::close)))
                .onFailure(e -> reads.close());
    }

    /** The degraded mode when {@code degraded.journalDir} is set: its journal opened (and replayed). */
    private static Future<Optional<DegradedMode>> degraded(
            Vertx vertx,
            CoordinatorConfig config,
            ServicesFactory.Running running,
            RedisHealth health,
            PrometheusMetrics metrics) {
        if (config.degraded().journalDir().isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        List<KbConfig> known = new ArrayList<>(config.kbs());
        return running.services()
                .kbs()
                .list()
                .compose(registered -> {
                    known.addAll(registered);
                    return DegradedMode.open(
                            vertx,
                            config.degraded().journalDir().get(),
                            config.degraded().maxEntries(),
                            config.leases().maxHold(),
                            health,
                            running.services().jobs(),
                            known);
                })
                .map(mode -> {
                    metrics.degraded(mode::accepting, mode::pending);
                    return Optional.of(mode);
                });
    }

    private static Future<Coordinator> listen(
            Vertx vertx,
            CoordinatorConfig config,
            RedissonClient redisson,
            ServicesFactory.Running running,
            PrometheusMetrics metrics,
            AuthHandler auth,
            RedisHealth health,
            Optional<DegradedMode> degraded,
            Reads reads) {
        HttpApi api = new HttpApi(vertx, config, running.services(), auth, metrics, health, degraded, reads.mirrors());
        HttpServerOptions options = new HttpServerOptions();
        Future<Optional<CertificateReloader>> tls = config.tls()
                .map(t -> CertificateReloader.load(vertx, t, options).map(Optional::of))
                .orElse(Future.succeededFuture(Optional.empty()));
        return tls.compose(reloader -> Future.all(config.kbs().stream()
                        .map(kb -> running.services().kbs().register(kb))
                        .toList())
                .compose(registered -> vertx.createHttpServer(options)
                        .requestHandler(api.router())
                        .listen(config.http().port(), config.http().host()))
                .map(server -> {
                    reloader.ifPresent(r -> r.watch(server));
                    log.info(
                            "coordinator {} listening on {}://{}:{} ({} KBs from config)",
                            config.coordinatorId(),
                            reloader.isPresent() ? "https" : "http",
                            config.http().host(),
                            server.actualPort(),
                            config.kbs().size());
                    return new Coordinator(vertx, redisson, running, server, reloader, health.start(), degraded, reads);
                }));
    }

    /** The port the HTTP server listens on (the real one when configured as 0). */
    public int port() {
        return server.actualPort();
    }

    /** The services behind the HTTP API, for an embedding process (e.g. {@code kbsync up} at start). */
    public CoordinatorServices services() {
        return services.services();
    }

    /** Stops HTTP, then the services, then the Redisson client. */
    public Future<Void> stop() {
        tls.ifPresent(CertificateReloader::stop);
        health.stop();
        degraded.ifPresent(DegradedMode::close);
        return server.close()
                .eventually(() -> {
                    reads.close();
                    return Future.succeededFuture();
                })
                .eventually(() -> services.stop().get())
                .eventually(() -> RedisClients.shutdown(vertx, redisson));
    }

    /** The read snapshots: the KBs' mirrors and what tells them a job landed. */
    private record Reads(KbMirrors mirrors, LandingWatch landings) implements AutoCloseable {
        static Reads start(Vertx vertx, CoordinatorConfig.Reads config, CoordinatorServices services) {
            AtomicReference<KbMirrors> mirrors = new AtomicReference<>();
            LandingWatch landings = new LandingWatch(
                    vertx, services.queues().watchers(), kb -> mirrors.get().landed(kb));
            mirrors.set(KbMirrors.start(
                    config.mirrorDir(),
                    config.refresh(),
                    config.afterWait(),
                    READ_THREADS,
                    new FetchAuth(config.credentialDirs()),
                    landings::watch));
            return new Reads(mirrors.get(), landings);
        }

        @Override
        public void close() {
            landings.close();
            mirrors.close();
        }
    }
}
