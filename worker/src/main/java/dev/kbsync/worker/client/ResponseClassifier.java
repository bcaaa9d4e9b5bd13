package dev.kbsync.worker.client;

import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;

/** Maps an HTTP exchange to a JSON body (null for 204) or a classified {@link CoordinatorException}. */
final class ResponseClassifier {
    private ResponseClassifier() {}

    static Future<JsonObject> classify(AsyncResult<HttpResponse<Buffer>> result) {
        if (result.failed()) {
            return Future.failedFuture(new CoordinatorException.Unreachable(
                    "coordinator unreachable: " + result.cause().getMessage(), result.cause()));
        }
        HttpResponse<Buffer> response = result.result();
        int status = response.statusCode();
        if (status == 204) {
            return Future.succeededFuture(null);
        }
        JsonObject body = body(response);
        if (status >= 200 && status < 300) {
            return Future.succeededFuture(body);
        }
        JsonObject error = body.getJsonObject("error", new JsonObject());
        String code = error.getString("code", "HTTP_" + status);
        String message = code + ": " + error.getString("message", response.statusMessage());
        if (status == 409 && "LEASE_LOST".equals(code)) {
            return Future.failedFuture(new CoordinatorException.LeaseLost(message));
        }
        if (status >= 500) {
            return Future.failedFuture(new CoordinatorException.Unreachable(message, null));
        }
        return Future.failedFuture(new CoordinatorException.Refused(status, message));
    }

    private static JsonObject body(HttpResponse<Buffer> response) {
        Buffer buffer = response.body();
        if (buffer == null || buffer.length() == 0) {
            return new JsonObject();
        }
        try {
            return buffer.toJsonObject();
        } catch (DecodeException e) {
            return new JsonObject();
        }
    }
}
