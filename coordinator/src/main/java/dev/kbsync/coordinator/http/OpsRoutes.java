package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Liveness, readiness (Redis answers within 2 s) and the Prometheus scrape. */
final class OpsRoutes {
    private static final Logger log = LoggerFactory.getLogger(OpsRoutes.class);
    static final long READY_TIMEOUT_MS = 2000;

    private final Supplier<Future<Void>> redisPing;
    private final PrometheusMetrics metrics;

    OpsRoutes(Supplier<Future<Void>> redisPing, PrometheusMetrics metrics) {
        this.redisPing = redisPing;
        this.metrics = metrics;
    }

    void handleHealth(RoutingContext ctx) {
        Responses.ok(ctx, new JsonObject().put("status", "up"));
    }

    void handleReady(RoutingContext ctx) {
        redisPing.get().timeout(READY_TIMEOUT_MS, TimeUnit.MILLISECONDS).onComplete(result -> {
            if (result.succeeded()) {
                Responses.ok(ctx, new JsonObject().put("status", "ready").put("redis", "up"));
            } else {
                log.warn(
                        "readiness check failed: redis did not answer: {}",
                        result.cause().toString());
                Responses.json(ctx, 503, Failures.error("NOT_READY", "redis is not reachable"));
            }
        });
    }

    void handleMetrics(RoutingContext ctx) {
        ctx.response().putHeader("Content-Type", ProcessMetrics.CONTENT_TYPE).end(metrics.scrape());
    }
}
