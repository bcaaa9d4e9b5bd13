package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.config.Loopback;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;

/**
 * With auth off every request acts as admin, so the server's loopback address is all that keeps others out; this keeps
 * web pages out as well. A request named to any host but a loopback one ({@code localhost}, {@code 127.0.0.0/8},
 * {@code [::1]}, any port) is refused 421 HOST_NOT_ALLOWED: a page whose own name its DNS turned to 127.0.0.1 reads and
 * acts on nothing. A request a browser sent for a page of another origin ({@code Origin} other than the request's own
 * scheme, host and port; {@code Sec-Fetch-Site} cross-site or same-site, but for a GET that opens a page) is refused 403
 * CROSS_ORIGIN: a form or fetch on another site cannot act. Callers that send no {@code Origin} (curl, the CLI, the
 * clients) and the dashboard (its own origin) pass.
 */
final class LocalCallers implements Handler<RoutingContext> {
    @Override
    public void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        HostAndPort authority = request.authority();
        if (authority == null ? request.getHeader("Host") != null : !Loopback.is(authority.host())) {
            throw new HttpError(
                    421,
                    "HOST_NOT_ALLOWED",
                    "with auth off the coordinator answers only requests to localhost, 127.0.0.1 or [::1]");
        }
        if (fromAnotherOrigin(request)) {
            throw new HttpError(403, "CROSS_ORIGIN", "with auth off the coordinator answers no page of another origin");
        }
        ctx.next();
    }

    private static boolean fromAnotherOrigin(HttpServerRequest request) {
        String origin = request.getHeader("Origin");
        if (origin != null && !origin.equalsIgnoreCase(request.scheme() + "://" + request.authority())) {
            return true;
        }
        String site = request.getHeader("Sec-Fetch-Site");
        boolean otherSite = "cross-site".equals(site) || "same-site".equals(site);
        return otherSite && !opensAPage(request);
    }

    /** A link followed or a URL typed in: the page it opens runs as its own origin. */
    private static boolean opensAPage(HttpServerRequest request) {
        boolean safe =
                request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD);
        return safe && "navigate".equals(request.getHeader("Sec-Fetch-Mode"));
    }
}
