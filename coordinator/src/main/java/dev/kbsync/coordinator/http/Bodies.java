package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import io.vertx.core.Handler;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON request bodies: the Content-Type check (415) and parsing into strict {@link Fields}. */
final class Bodies {
    private Bodies() {}

    /** A route handler that rejects anything but {@code Content-Type: application/json} with 415. */
    static Handler<RoutingContext> requireJson() {
        return ctx -> {
            String type = ctx.request().getHeader("Content-Type");
            String media = type == null ? "" : type.split(";", 2)[0].trim();
            if (!media.equalsIgnoreCase("application/json")) {
                throw HttpError.forStatus(415);
            }
            ctx.next();
        };
    }

    /** The body as a JSON object with only {@code allowed} top-level fields. */
    static Fields object(RoutingContext ctx, String... allowed) {
        if (ctx.body().isEmpty()) {
            throw new InvalidInputException("MISSING_BODY", "a JSON object body is required");
        }
        Object parsed;
        try {
            parsed = Json.decodeValue(ctx.body().buffer());
        } catch (DecodeException e) {
            throw new InvalidInputException("INVALID_JSON", "the body is not valid JSON");
        }
        if (!(parsed instanceof JsonObject json)) {
            throw new InvalidInputException("INVALID_JSON", "the body must be a JSON object");
        }
        return Fields.of(json, "", allowed);
    }
}
