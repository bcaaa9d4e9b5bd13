package dev.kbsync.worker.process;

import dev.kbsync.http.HostHeader;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The worker's tiny HTTP server: {@code GET /healthz} (JSON with the mode), {@code GET /readyz} (200 while the worker
 * takes jobs, else 503 with the reason) and {@code GET /metrics} (Prometheus), and HEAD.
 */
final class HealthServer {
    private final Supplier<JsonObject> health;
    private final Supplier<Optional<String>> notReady;
    private final Supplier<String> metrics;

    /** {@code notReady}: why the worker takes no jobs now, empty while it takes them. */
    HealthServer(Supplier<JsonObject> health, Supplier<Optional<String>> notReady, Supplier<String> metrics) {
        this.health = health;
        this.notReady = notReady;
        this.metrics = metrics;
    }

    Future<HttpServer> listen(Vertx vertx, String host, int port) {
        Router router = Router.router(vertx);
        // HEAD as GET, without the body (RFC 9110; load balancers probe with it).
        router.route("/healthz").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::handleHealth);
        // Both read the cache disk's free space (a statfs, which a hung file system can hold): off the event loop.
        router.route("/readyz").method(HttpMethod.GET).method(HttpMethod.HEAD).blockingHandler(this::handleReady);
        router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).blockingHandler(this::handleMetrics);
        // No HTTP/2 upgrade over plain HTTP (h2c): the JDK's HttpClient asks for one on each new connection, and
        // upgraded connections garbled large answers now and then. Such clients go on in HTTP/1.1.
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(request -> HostHeader.problem(request)
                        .ifPresentOrElse(
                                problem -> request.response()
                                        .setStatusCode(400)
                                        .putHeader("Content-Type", "application/json")
                                        .end(new JsonObject()
                                                .put(
                                                        "error",
                                                        new JsonObject()
                                                                .put("code", "BAD_REQUEST")
                                                                .put("message", problem))
                                                .encode()),
                                () -> router.handle(request)))
                .listen(port, host);
    }

    private void handleHealth(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(health.get().encode());
    }

    private void handleReady(RoutingContext ctx) {
        Optional<String> reason = notReady.get();
        JsonObject body = reason.map(
                        r -> new JsonObject().put("status", "not ready").put("reason", r))
                .orElseGet(() -> new JsonObject().put("status", "ready"));
        ctx.response()
                .setStatusCode(reason.isPresent() ? 503 : 200)
                .putHeader("Content-Type", "application/json")
                .end(body.encode());
    }

    private void handleMetrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", ProcessMetrics.CONTENT_TYPE).end(metrics.get());
    }
}
