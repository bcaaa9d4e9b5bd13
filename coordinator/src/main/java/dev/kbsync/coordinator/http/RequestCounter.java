package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.metrics.RouteRequests;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * Counts each request by route template and final status ({@code kbsync_http_requests_total}) and times it from its
 * arrival here to the end of its answer ({@code kbsync_http_request_duration_seconds}).
 */
final class RequestCounter implements PlatformHandler {
    private final RouteRequests requests;

    RequestCounter(RouteRequests requests) {
        this.requests = requests;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long arrived = System.nanoTime();
        ctx.addEndHandler(v -> requests.answered(ctx.response().getStatusCode(), System.nanoTime() - arrived));
        ctx.next();
    }
}
