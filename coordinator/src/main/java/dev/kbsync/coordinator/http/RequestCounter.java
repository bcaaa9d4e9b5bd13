package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.metrics.RouteRequests;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/** Counts each request by route template and final status ({@code kbsync_http_requests_total}). */
final class RequestCounter implements PlatformHandler {
    private final RouteRequests requests;

    RequestCounter(RouteRequests requests) {
        this.requests = requests;
    }

    @Override
    public void handle(RoutingContext ctx) {
        ctx.addEndHandler(v -> requests.count(ctx.response().getStatusCode()));
        ctx.next();
    }
}
