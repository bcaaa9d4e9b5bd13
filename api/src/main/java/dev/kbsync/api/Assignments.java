package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** The jobs a group commit took along ({@code POST /v1/leases/{id}/extend}): {@code {"assignments":[...]}}. */
public record Assignments(List<Assignment> assignments) {
    public Assignments {
        assignments = List.copyOf(assignments);
    }

    public JsonObject toJson() {
        JsonArray array = new JsonArray();
        assignments.forEach(a -> array.add(a.toJson()));
        return new JsonObject().put("assignments", array);
    }

    public static Assignments fromJson(JsonObject json) {
        return new Assignments(Json.list(json.getJsonArray("assignments"), Assignment::fromJson));
    }
}
