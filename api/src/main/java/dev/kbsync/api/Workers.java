package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Every worker the coordinators heard from recently, up ones first ({@code GET /v1/workers}). */
public record Workers(List<Worker> workers) {
    public Workers {
        workers = List.copyOf(workers);
    }

    public JsonObject toJson() {
        JsonArray array = new JsonArray();
        workers.forEach(w -> array.add(w.toJson()));
        return new JsonObject().put("workers", array);
    }

    public static Workers fromJson(JsonObject json) {
        return new Workers(Json.list(Json.required(json, "workers"), Worker::fromJson));
    }
}
