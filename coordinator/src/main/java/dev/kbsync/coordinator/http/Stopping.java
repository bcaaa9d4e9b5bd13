package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.coordinator.error.UnavailableException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The coordinator's stop as its requests see it. Once {@link #stop} began: a new request is answered 503
 * COORDINATOR_STOPPING; a long poll or lease request still waiting is answered so at once (its client retries, on
 * another coordinator if it knows one); an event stream is closed (its client resumes elsewhere); any other request
 * under way finishes while the server drains (a lease channel is closed by that drain).
 */
final class Stopping implements Handler<RoutingContext> {
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final String WAITS = "kbsync.stopping.waits";

    private final Map<RoutingContext, Context> open = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /** Marks a request that may wait long for its answer (a long poll): a stop answers it at once. */
    static void waits(RoutingContext ctx) {
        ctx.put(WAITS, Boolean.TRUE);
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (stopped) {
            ctx.fail(failure());
            return;
        }
        if (!upgrade(ctx)) { // an upgraded connection reports no end here: Vert.x's own shutdown closes the channel
            open.put(ctx, ctx.vertx().getOrCreateContext());
            ctx.addEndHandler(v -> open.remove(ctx)); // answered, or its connection closed
        }
        ctx.next();
    }

    /** Answers or closes every waiting request and stream; refuses every later request. */
    void stop() {
        stopped = true;
        open.forEach((ctx, context) -> context.runOnContext(v -> end(ctx)));
    }

    private static void end(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (ctx.response().headWritten()) { // an event stream
            ctx.request().connection().close();
        } else if (Boolean.TRUE.equals(ctx.get(WAITS)) && !ctx.failed()) {
            ctx.fail(failure());
        }
    }

    private static boolean upgrade(RoutingContext ctx) {
        return "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"));
    }

    static UnavailableException failure() {
        return new UnavailableException(
                ErrorCodes.COORDINATOR_STOPPING, "the coordinator is stopping; retry (another one)", RETRY_AFTER);
    }
}
