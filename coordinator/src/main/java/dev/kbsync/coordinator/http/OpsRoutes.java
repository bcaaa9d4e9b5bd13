package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.engine.redis.OutageLog;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Liveness, readiness (Redis answers within {@link RedisHealth#PROBE_TIMEOUT}), the Prometheus scrape and the API's OpenAPI document. */
final class OpsRoutes {
    private static final Logger log = LoggerFactory.getLogger(OpsRoutes.class);
    /** The OpenAPI 3.1 document of the whole API v1, kept true by OpenApiRoutesTest and OpenApiContractIT. */
    static final String OPENAPI = "openapi.json";

    private final RedisHealth health;
    private final PrometheusMetrics metrics;
    private final Buffer openApi = openApi();
    /** An outage fails every probe (every few seconds): WARN once, DEBUG after, INFO when Redis answers again. */
    private final OutageLog readiness = new OutageLog(log, "readiness check");

    private final Optional<DegradedMode> degraded;

    OpsRoutes(RedisHealth health, PrometheusMetrics metrics, Optional<DegradedMode> degraded) {
        this.health = health;
        this.degraded = degraded;
        this.metrics = metrics;
    }

    void handleOpenApi(RoutingContext ctx) {
        Responses.end(ctx.response().putHeader("Content-Type", "application/json"), openApi);
    }

    void handleHealth(RoutingContext ctx) {
        Responses.ok(ctx, new JsonObject().put("status", "up"));
    }

    void handleReady(RoutingContext ctx) {
        health.check().onComplete(result -> {
            if (result.succeeded()) {
                readiness.succeeded();
                JsonObject ready = new JsonObject().put("status", "ready").put("redis", "up");
                degraded.ifPresent(d ->
                        ready.put("mode", d.accepting() ? "degraded" : "normal").put("journal", d.pending()));
                Responses.ok(ctx, ready);
            } else {
                readiness.failed("redis did not answer", result.cause());
                ctx.response().putHeader("Retry-After", Long.toString(RedisHealth.RETRY_AFTER.toSeconds()));
                JsonObject body = Failures.error("NOT_READY", "redis is not reachable")
                        .put("status", "not ready")
                        .put("redis", "down");
                degraded.ifPresent(d ->
                        body.put("mode", d.accepting() ? "degraded" : "normal").put("journal", d.pending()));
                Responses.json(ctx, 503, body);
            }
        });
    }

    /** The scrape grows with every KB (some 50 series each), so it is built on a worker thread, never the event loop. */
    void handleMetrics(RoutingContext ctx) {
        ctx.vertx().executeBlocking(metrics::scrape, false).onComplete(scrape -> {
            if (scrape.failed()) {
                ctx.fail(scrape.cause());
            } else if (!ctx.response().closed()) {
                Responses.end(
                        ctx.response().putHeader("Content-Type", ProcessMetrics.CONTENT_TYPE),
                        Buffer.buffer(scrape.result()));
            }
        });
    }

    private static Buffer openApi() {
        try (InputStream in = OpsRoutes.class.getResourceAsStream(OPENAPI)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + OPENAPI);
            }
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
