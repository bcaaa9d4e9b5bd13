package dev.kbsync.coordinator.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON responses. */
final class Responses {
    private Responses() {}

    /** Writes the answer unless one was sent already (a 503 by the Redis gate before a late result). */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (ctx.response().ended() || ctx.response().headWritten()) {
            return;
        }
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .putHeader("Cache-Control", "no-store")
                .end(body.encode());
    }

    static void ok(RoutingContext ctx, JsonObject body) {
        json(ctx, 200, body);
    }
}
