package dev.kbsync.coordinator.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
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
        end(
                ctx.response()
                        .setStatusCode(status)
                        .putHeader("Content-Type", "application/json")
                        .putHeader("Cache-Control", "no-store"),
                Buffer.buffer(body.encode()));
    }

    static void ok(RoutingContext ctx, JsonObject body) {
        json(ctx, 200, body);
    }

    /**
     * Ends {@code response} with {@code body}, naming its length: Vert.x leaves {@code Content-Length} out of the answer
     * to a HEAD, which names the length its GET's body would have (RFC 9110) and sends no body.
     */
    static Future<Void> end(HttpServerResponse response, Buffer body) {
        return response.putHeader("Content-Length", Integer.toString(body.length()))
                .end(body);
    }
}
