package dev.kbsync.api.client;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Wire JSON as the coordinator sends it. */
final class Samples {
    private Samples() {}

    static JsonObject job(String id, String state) {
        return new JsonObject()
                .put("id", id)
                .put("kb", "team")
                .put("kind", "note")
                .put("user", "alice")
                .put(
                        "payload",
                        new JsonObject().put("text", "t").put("title", null).put("path", null))
                .put("state", state)
                .put("ahead", state.equals("queued") ? 1 : 0)
                .put("etaMs", 0)
                .put("fencingToken", null)
                .put("commit", state.equals("done") ? "c0ffee" : null)
                .put("files", new JsonArray())
                .put("error", null)
                .put("attempts", 0)
                .put("createdAt", "2026-11-29T07:00:00Z")
                .put("startedAt", null)
                .put("finishedAt", null);
    }

    static JsonObject lease(String id, String state, long ahead) {
        return new JsonObject()
                .put("id", id)
                .put("kb", "team")
                .put("holder", "bot")
                .put("state", state)
                .put("ahead", ahead)
                .put("fencingToken", state.equals("waiting") ? null : 7L)
                .put("jobId", null)
                .put("grantedAt", null)
                .put("expiresAt", null)
                .put("ttlMs", 30_000);
    }

    /** One SSE frame as the coordinator writes it. */
    static String frame(String name, JsonObject data) {
        return "event: " + name + "\ndata: " + data.encode() + "\n\n";
    }
}
