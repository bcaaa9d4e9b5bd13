package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.health.RedisHealth;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

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
     * The gate of a route whose JSON body may ask to wait ({@code waitMs}, a lease request): the deadline plus the wait
     * asked for (capped as the handler caps it), so that a request that asks for none is bounded as any other. A body
     * that does not say (or says it wrongly, which the handler then refuses) waits for nothing.
     */
    Handler<RoutingContext> handlerWaitingAsAsked() {
        return gate(ctx -> deadline.toMillis() + askedWaitMs(ctx), () -> false);
    }

    private static long askedWaitMs(RoutingContext ctx) {
        String body = ctx.body().asString();
        if (body == null || !body.contains("\"waitMs\"")) { // most requests: no parse
            return 0;
        }
        try {
            Object wait = new JsonObject(body).getValue("waitMs");
            return wait instanceof Integer || wait instanceof Long
                    ? Math.max(0, Math.min(((Number) wait).longValue(), Inputs.MAX_WAIT_MS))
                    : 0;
        } catch (RuntimeException e) { // not a JSON object: the handler answers 400
            return 0;
        }
    }

    /** The gate of a route that the handler serves without Redis while {@code local} says so (degraded mode). */
    Handler<RoutingContext> handler(BooleanSupplier local) {
        return handler(Duration.ZERO, local);
    }

    /** Both: a long poll that the handler serves without Redis while {@code local} says so. */
    Handler<RoutingContext> handler(Duration extra, BooleanSupplier local) {
        long ms = deadline.plus(extra).toMillis();
        return gate(ctx -> ms, local);
    }

    private Handler<RoutingContext> gate(ToLongFunction<RoutingContext> deadlineMs, BooleanSupplier local) {
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
            long timer = ctx.vertx().setTimer(deadlineMs.applyAsLong(ctx), t -> refuse(ctx));
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
