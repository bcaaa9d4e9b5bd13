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
 * under way finishes while the server drains (a lease channel is closed by that drain). Only the requests that wait
 * ({@link #waits}) are followed: the others cost a flag read.
 */
final class Stopping implements Handler<RoutingContext> {
    static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final String KEY = "kbsync.stopping";

    private final Map<RoutingContext, Context> waiting = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /**
     * Marks a request that may wait long for its answer (a long poll, an event stream): a stop answers or closes it at
     * once. Runs on the request's context.
     */
    static void waits(RoutingContext ctx) {
        Stopping stopping = ctx.get(KEY);
        if (stopping != null) {
            stopping.follow(ctx);
        }
    }

    @Override
    public void handle(RoutingContext ctx) {
        if (stopped) {
            ctx.fail(failure());
            return;
        }
        ctx.put(KEY, this);
        ctx.next();
    }

    /** Answers or closes every waiting request and stream; refuses every later request. */
    void stop() {
        stopped = true;
        waiting.forEach((ctx, context) -> context.runOnContext(v -> end(ctx)));
    }

    private void follow(RoutingContext ctx) {
        Context context = ctx.vertx().getOrCreateContext();
        if (waiting.putIfAbsent(ctx, context) != null) {
            return;
        }
        ctx.addEndHandler(v -> waiting.remove(ctx)); // answered, or its connection closed
        if (stopped) { // the stop began after this request passed the first handler: its waiting ends at once
            context.runOnContext(v -> end(ctx));
        }
    }

    private static void end(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (ctx.response().headWritten()) { // an event stream
            ctx.request().connection().close();
        } else if (!ctx.failed()) {
            ctx.fail(failure());
        }
    }

    static UnavailableException failure() {
        return new UnavailableException(
                ErrorCodes.COORDINATOR_STOPPING, "the coordinator is stopping; retry (another one)", RETRY_AFTER);
    }
}
