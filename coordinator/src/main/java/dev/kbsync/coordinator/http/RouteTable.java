package dev.kbsync.coordinator.http;

import static io.vertx.core.http.HttpMethod.GET;

import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.metrics.RouteRequests;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.Optional;

/**
 * Adds the API's routes to one router, each the same way: counted, its body read (if it takes one), its caller and path
 * ids checked, then its Redis gate and handler; {@code HEAD} beside each {@code GET}. A request no route takes is
 * answered 400, 404 or 405 (with {@code Allow}) in the error shape, and counted.
 */
final class RouteTable {
    private final Router router;
    private final PrometheusMetrics metrics;
    private final RouteRequests unmatched;
    private final int bodyLimit;
    /** What each route path takes, for a 405's {@code Allow}. */
    private final RouteMethods methods = new RouteMethods();

    RouteTable(Router router, PrometheusMetrics metrics, RouteRequests unmatched, int bodyLimit) {
        this.router = router;
        this.metrics = metrics;
        this.unmatched = unmatched;
        this.bodyLimit = bodyLimit;
    }

    void on(
            Handler<RoutingContext> redisGate,
            HttpMethod method,
            String path,
            Handler<RoutingContext> guard,
            boolean jsonBody,
            Handler<RoutingContext> handler) {
        for (HttpMethod each : withHead(method)) {
            guarded(each, path, guard, jsonBody).handler(redisGate).handler(handler);
        }
    }

    /**
     * A route whose request (its JSON body, an optional one, or its query only) is read and validated before its Redis
     * gate ({@link Checked}).
     */
    void on(
            Handler<RoutingContext> redisGate,
            HttpMethod method,
            String path,
            Handler<RoutingContext> guard,
            Checked<?> checked) {
        Optional<Handler<RoutingContext>> media = switch (checked.body()) {
            case REQUIRED -> Optional.of(Bodies.requireJson());
            case OPTIONAL -> Optional.of(Bodies.requireJsonIfAny());
            case NONE -> Optional.empty();
        };
        for (HttpMethod each : withHead(method)) {
            guarded(each, path, guard, media)
                    .handler(checked.check())
                    .handler(redisGate)
                    .handler(checked.handler());
        }
    }

    /** Answers the requests no route takes (400, 404, 405) in the error shape; after the routes. */
    void answerUnmatched() {
        for (int status : new int[] {400, 404, 405}) {
            router.errorHandler(status, ctx -> unmatched(ctx, status));
        }
    }

    /**
     * {@code method}, and HEAD beside a GET (RFC 9110: HEAD wherever GET is supported). Vert.x sends a HEAD's answer
     * without its body; an event stream's HEAD ends after its headers ({@link Sse}).
     */
    private static List<HttpMethod> withHead(HttpMethod method) {
        return method.equals(GET) ? List.of(GET, HttpMethod.HEAD) : List.of(method);
    }

    private Route guarded(HttpMethod method, String path, Handler<RoutingContext> guard, boolean jsonBody) {
        return guarded(method, path, guard, jsonBody ? Optional.of(Bodies.requireJson()) : Optional.empty());
    }

    /**
     * A route counted, its body read (if it takes one: {@code media} then checks its Content-Type), its caller and its
     * path ids checked; the Redis gate and handler come next.
     */
    private Route guarded(
            HttpMethod method, String path, Handler<RoutingContext> guard, Optional<Handler<RoutingContext>> media) {
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

    private void unmatched(RoutingContext ctx, int status) {
        unmatched.count(status);
        if (status == 405) {
            // the path the router matched (dot segments and doubled slashes resolved), not the one on the wire
            String allowed = methods.allowed(ctx.normalizedPath());
            if (!allowed.isEmpty()) {
                ctx.response().putHeader("Allow", allowed);
            }
        }
        HttpError error = HttpError.forStatus(status);
        Responses.json(ctx, status, Failures.error(error.code(), error.getMessage()));
    }
}
