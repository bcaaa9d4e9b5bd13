package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/** Counts each request by route template and final status ({@code kbsync_http_requests_total}). */
final class RequestCounter implements PlatformHandler {
    private final PrometheusMetrics metrics;
    private final String route;

    RequestCounter(PrometheusMetrics metrics, String route) {
        this.metrics = metrics;
        this.route = route;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.addEndHandler(v -> metrics.httpRequest(route, ctx.response().getStatusCode()));
        ctx.next();
    }
}
