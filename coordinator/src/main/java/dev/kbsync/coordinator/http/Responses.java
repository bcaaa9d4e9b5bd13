package dev.kbsync.coordinator.http;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** Writes JSON responses. */
final class Responses {
    private Responses() {}

    /** Whether the request was answered already (a 503 by the Redis gate before a late result): nothing more to send. */
    static boolean answered(RoutingContext ctx) {
        return ctx.response().ended() || ctx.response().headWritten();
    }

    /** Writes the answer unless one was sent already ({@link #answered}). */
    static void json(RoutingContext ctx, int status, JsonObject body) {
        if (answered(ctx)) {
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
     * Answers {@code error} in the error shape with {@code Connection: close}, then closes {@code connection}: for a
     * request after which the connection cannot go on (its bytes cannot be framed, or it was too slow).
     */
    static void closing(HttpServerResponse response, HttpError error, HttpConnection connection) {
        end(
                        response.setStatusCode(error.status())
                                .putHeader("Content-Type", "application/json")
                                .putHeader("Connection", "close"),
                        Buffer.buffer(
                                Failures.error(error.code(), error.getMessage()).encode()))
                .onComplete(done -> connection.close());
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
