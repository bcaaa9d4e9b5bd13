package dev.kbsync.api;

import io.vertx.core.json.JsonObject;

/** Why a job failed: a stable machine code and a human message (credentials already masked). */
public record JobError(String code, String message) {
    public JsonObject toJson() {
        return new JsonObject().put("code", code).put("message", message);
    }

    public static JobError fromJson(JsonObject json) {
        return json == null ? null : new JobError(json.getString("code"), json.getString("message"));
    }
}
