package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Bounds every request that needs Redis: refused at once with 503 REDIS_UNAVAILABLE while {@link RedisHealth} says
 * Redis is down; a request under way when Redis goes down is answered the same way at once (its Redis call may still
 * be carried out when Redis returns: a retry with the same Idempotency-Key is safe); and none waits for its answer
 * longer than its deadline (a long poll: its wait plus the deadline). A stream counts as answered once it started.
 */
final class RedisGate {
    private final RedisHealth health;
    private final Duration deadline;
    private final Map<RoutingContext, Context> open = new ConcurrentHashMap<>();

    RedisGate(RedisHealth health, Duration deadline) {
        this.health = health;
        this.deadline = deadline;
        health.onChange(up -> {
            if (!up) {
                open.forEach((ctx, context) -> context.runOnContext(v -> refuse(ctx)));
            }
        });
    }

    /** The gate of a route whose answer comes within the deadline. */
    Handler<RoutingContext> handler() {
        return handler(Duration.ZERO);
    }

    /** The gate of a route that may wait up to {@code extra} before answering (a long poll). */
    Handler<RoutingContext> handler(Duration extra) {
        return handler(extra, () -> false);
    }

    /** The gate of a route that the handler serves without Redis while {@code local} says so (degraded mode). */
    Handler<RoutingContext> handler(BooleanSupplier local) {
        return handler(Duration.ZERO, local);
    }

    /** Both: a long poll that the handler serves without Redis while {@code local} says so. */
    Handler<RoutingContext> handler(Duration extra, BooleanSupplier local) {
        long ms = deadline.plus(extra).toMillis();
        return ctx -> {
            if (local.getAsBoolean()) {
                ctx.next();
                return;
            }
            if (!health.up()) {
                ctx.fail(RedisHealth.unavailable());
                return;
            }
            Context context = ctx.vertx().getOrCreateContext();
            open.put(ctx, context);
            long timer = ctx.vertx().setTimer(ms, t -> refuse(ctx));
            Runnable done = () -> {
                open.remove(ctx);
                ctx.vertx().cancelTimer(timer);
            };
            ctx.addHeadersEndHandler(v -> done.run());
            ctx.addEndHandler(v -> done.run());
            ctx.next();
        };
    }

    private void refuse(RoutingContext ctx) {
        open.remove(ctx);
        if (!ctx.response().headWritten() && !ctx.response().ended() && !ctx.failed()) {
            ctx.fail(RedisHealth.unavailable());
        }
    }
}
