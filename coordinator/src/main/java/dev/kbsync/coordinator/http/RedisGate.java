package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

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

    /**
     * Lets a request that passed a gate wait {@code extra} longer than its deadline: a long poll whose wait only its
     * handler knows, once it has read and checked the body (a lease request's {@code waitMs}). A request that asks
     * for no wait keeps the plain deadline. Runs on the request's context; without a gate (degraded mode) nothing.
     */
    static void allowWait(RoutingContext ctx, Duration extra) {
        if (!extra.isZero()) {
            Stopping.waits(ctx);
        }
        extendDeadline(ctx, extra);
    }

    /**
     * Lets a request that passed a gate take {@code extra} longer than its deadline (from now), without making it a long
     * poll that a stop cuts short: a read waiting for a git fetch, once Redis answered its part. Runs on the request's
     * context; does nothing once the deadline passed (the request was answered 503).
     */
    static void extendDeadline(RoutingContext ctx, Duration extra) {
        Deadline deadline = ctx.get(Deadline.KEY);
        if (deadline != null && !extra.isZero()) {
            deadline.extend(extra.toMillis());
        }
    }

    /** The gate of a route that the handler serves without Redis while {@code local} says so (degraded mode). */
    Handler<RoutingContext> handler(BooleanSupplier local) {
        return handler(Duration.ZERO, local);
    }

    /** Both: a long poll that the handler serves without Redis while {@code local} says so. */
    Handler<RoutingContext> handler(Duration extra, BooleanSupplier local) {
        return handler(extra, ctx -> local.getAsBoolean());
    }

    /** The gate of a route that the handler serves without Redis for the requests {@code local} names. */
    Handler<RoutingContext> handler(Predicate<RoutingContext> local) {
        return handler(Duration.ZERO, local);
    }

    private Handler<RoutingContext> handler(Duration extra, Predicate<RoutingContext> local) {
        long ms = deadline.plus(extra).toMillis();
        return ctx -> {
            if (!extra.isZero()) {
                Stopping.waits(ctx);
            }
            if (local.test(ctx)) {
                ctx.next();
                return;
            }
            if (!health.up()) {
                ctx.fail(RedisHealth.unavailable());
                return;
            }
            Context context = ctx.vertx().getOrCreateContext();
            open.put(ctx, context);
            Deadline timer = new Deadline(ctx, ms);
            ctx.put(Deadline.KEY, timer);
            Runnable done = () -> {
                open.remove(ctx);
                timer.cancel();
            };
            ctx.addHeadersEndHandler(v -> done.run());
            ctx.addEndHandler(v -> done.run());
            ctx.next();
        };
    }

    /** A request's deadline timer, which its handler may push out once ({@link #allowWait}). */
    private final class Deadline {
        static final String KEY = "kbsync.redisGate.deadline";

        private final RoutingContext ctx;
        private final long ms;
        private long timer;

        Deadline(RoutingContext ctx, long ms) {
            this.ctx = ctx;
            this.ms = ms;
            this.timer = ctx.vertx().setTimer(ms, t -> refuse(ctx));
        }

        void extend(long extraMs) {
            if (ctx.vertx().cancelTimer(timer)) { // not fired yet: the plain deadline again, from now, plus the wait
                timer = ctx.vertx().setTimer(ms + extraMs, t -> refuse(ctx));
            }
        }

        void cancel() {
            ctx.vertx().cancelTimer(timer);
        }
    }

    private void refuse(RoutingContext ctx) {
        open.remove(ctx);
        if (!ctx.response().headWritten() && !ctx.response().ended() && !ctx.failed()) {
            ctx.fail(RedisHealth.unavailable());
        }
    }
}
