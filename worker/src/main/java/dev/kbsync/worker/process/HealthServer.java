package dev.kbsync.worker.process;

import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.function.Supplier;

/** The worker's tiny HTTP server: {@code GET /healthz} (JSON with the mode) and {@code GET /metrics} (Prometheus), and HEAD. */
final class HealthServer {
    private final Supplier<JsonObject> health;
    private final Supplier<String> metrics;

    HealthServer(Supplier<JsonObject> health, Supplier<String> metrics) {
        this.health = health;
        this.metrics = metrics;
    }

    Future<HttpServer> listen(Vertx vertx, String host, int port) {
        Router router = Router.router(vertx);
        // HEAD as GET, without the body (RFC 9110; load balancers probe with it).
        router.route("/healthz").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::handleHealth);
        router.route("/metrics").method(HttpMethod.GET).method(HttpMethod.HEAD).handler(this::handleMetrics);
        // No HTTP/2 upgrade over plain HTTP (h2c): the JDK's HttpClient asks for one on each new connection, and
        // upgraded connections garbled large answers now and then. Such clients go on in HTTP/1.1.
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .requestHandler(router)
                .listen(port, host);
    }

    private void handleHealth(RoutingContext ctx) {
        ctx.response()
                .putHeader("Content-Type", "application/json")
                .end(health.get().encode());
    }

    private void handleMetrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", ProcessMetrics.CONTENT_TYPE).end(metrics.get());
    }
}
