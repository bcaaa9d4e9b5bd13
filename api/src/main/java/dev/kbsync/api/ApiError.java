package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * An error answer of the HTTP API: {@code {"error":{"code","message"}}}. {@code code} is stable and machine-readable
 * (docs/api.md lists them), {@code message} is for humans.
 */
public record ApiError(String code, String message) {
    /** 409: the lease is no longer granted to the caller (expired, released or taken). */
    public static final String LEASE_LOST = "LEASE_LOST";

    /** The whole error body. */
    public JsonObject toJson() {
        return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message));
    }

    /** The error of an error body; empty when {@code body} is not one. */
    public static Optional<ApiError> fromJson(JsonObject body) {
        Object error = body == null ? null : body.getValue("error");
        if (!(error instanceof JsonObject e) || !(e.getValue("code") instanceof String code)) {
            return Optional.empty();
        }
        return Optional.of(new ApiError(code, e.getValue("message") instanceof String m ? m : ""));
    }
}
