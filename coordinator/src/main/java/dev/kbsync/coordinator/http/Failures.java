package dev.kbsync.coordinator.http;

import dev.kbsync.api.ApiError;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.coordinator.auth.AuthException;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.CoordinatorException;
import dev.kbsync.coordinator.error.ForbiddenException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.RateLimitedException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.health.RedisHealth;
import io.netty.handler.codec.DecoderException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Maps every failure to {@code {"error":{"code","message"}}} with its status; unexpected ones are masked and logged. */
final class Failures {
    private static final Logger log = LoggerFactory.getLogger(Failures.class);

    private Failures() {}

    /**
     * The failure handler: {@link #handle}, telling {@code redisUnavailable} of each 503 REDIS_UNAVAILABLE it writes
     * (not of a late failure of a request answered already, e.g. by the Redis gate).
     */
    static Handler<RoutingContext> handler(Runnable redisUnavailable) {
        return ctx -> handle(ctx, redisUnavailable);
    }

    private static void handle(RoutingContext ctx, Runnable redisUnavailable) {
        HttpServerResponse response = ctx.response();
        Throwable failure = ctx.failure();
        if (response.ended()) { // answered already (e.g. 503 by the Redis gate): a late failure has no one to tell
            log.debug("failure after the response ended on {}: {}", ctx.normalizedPath(), String.valueOf(failure));
            return;
        }
        if (response.headWritten()) {
            log.debug("failure after the response started on {}: {}", ctx.normalizedPath(), String.valueOf(failure));
            response.reset();
            return;
        }
        if (RedisHealth.isUnavailable(failure)) {
            redisUnavailable.run();
        }
        Mapped mapped = map(failure, ctx.statusCode());
        if (mapped.status() == 500 && unread(ctx, failure)) {
            // the request itself could not be read (broken framing, or the client left mid-body): the client's error
            log.debug(
                    "request {} {} could not be read: {}",
                    ctx.request().method(),
                    ctx.normalizedPath(),
                    String.valueOf(failure));
            response.putHeader("Connection", "close"); // what is left of the request cannot be told from the next one
            mapped = map(HttpError.forStatus(400), 400);
        }
        if (mapped.status() == 500) {
            String ref = UUID.randomUUID().toString();
            LogTags.around(
                    ctx,
                    () -> log.error(
                            "internal error ref={} method={} path={}",
                            ref,
                            ctx.request().method(),
                            ctx.normalizedPath(),
                            failure));
            mapped = new Mapped(500, "INTERNAL", "internal error (ref " + ref + "); see the coordinator log");
        }
        if (failure instanceof RateLimitedException limited) {
            response.putHeader("Retry-After", Long.toString(limited.retryAfter().toSeconds()))
                    .putHeader("X-RateLimit-Remaining", Integer.toString(limited.remaining()));
        }
        if (failure instanceof UnavailableException unavailable) {
            response.putHeader(
                    "Retry-After",
                    Long.toString(Math.max(1, unavailable.retryAfter().toSeconds())));
        }
        if (mapped.status() == 401) {
            response.putHeader("WWW-Authenticate", "Bearer");
        }
        Responses.json(ctx, mapped.status(), error(mapped.code(), mapped.message()));
    }

    /**
     * Whether {@code failure} came from reading the request rather than from answering it: the connection closed under
     * it, Netty's decoder failed on it, or a route that reads a body failed before the body was read to its end (its
     * framing broke). A route without a body may fail before Vert.x marks its request ended: that is no reading error.
     */
    private static boolean unread(RoutingContext ctx, Throwable failure) {
        return failure instanceof HttpClosedException
                || failure instanceof DecoderException
                || (Bodies.readsBody(ctx) && !ctx.request().isEnded());
    }

    /**
     * A failure as a lease channel's error frame: {@code {"error":{"code","message"},"status"}} with the status the
     * same failure gets over HTTP, and {@code retryAfterMs} where HTTP sends {@code Retry-After}; unexpected failures
     * are masked and logged as over HTTP.
     */
    static JsonObject frame(Throwable failure, String where) {
        Mapped mapped = map(failure, 500);
        if (mapped.status() == 500) {
            String ref = UUID.randomUUID().toString();
            log.error("internal error ref={} on {}", ref, where, failure);
            mapped = new Mapped(500, "INTERNAL", "internal error (ref " + ref + "); see the coordinator log");
        }
        JsonObject frame = error(mapped.code(), mapped.message()).put("status", mapped.status());
        if (failure instanceof RateLimitedException limited) {
            frame.put("retryAfterMs", limited.retryAfter().toMillis());
        }
        if (failure instanceof UnavailableException unavailable) {
            frame.put("retryAfterMs", Math.max(1000, unavailable.retryAfter().toMillis()));
        }
        return frame;
    }

    static JsonObject error(String code, String message) {
        return new ApiError(code, message).toJson();
    }

    private static Mapped map(Throwable failure, int status) {
        if (failure instanceof InvalidInputException e) {
            return new Mapped(400, e.code(), e.getMessage());
        }
        if (failure instanceof AuthException e) {
            return new Mapped(e.status(), e.code(), e.getMessage());
        }
        if (failure instanceof CoordinatorException e) {
            return new Mapped(statusOf(e), e.code(), e.getMessage());
        }
        if (failure instanceof HttpError e) {
            return new Mapped(e.status(), e.code(), e.getMessage());
        }
        int bare = failure instanceof HttpException e ? e.getStatusCode() : failure == null ? status : 500;
        HttpError known = HttpError.forStatus(bare);
        return known == null ? new Mapped(500, "INTERNAL", "") : new Mapped(bare, known.code(), known.getMessage());
    }

    private static int statusOf(CoordinatorException e) {
        if (e instanceof NotFoundException) {
            return 404;
        }
        if (e instanceof UnavailableException) {
            return 503;
        }
        if (e instanceof ForbiddenException) {
            return 403;
        }
        return e instanceof ConflictException ? 409 : 429;
    }

    private record Mapped(int status, String code, String message) {}
}
