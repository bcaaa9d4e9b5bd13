package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** Every registered KB and every queue snapshot ({@code GET /v1/kbs}). */
public record KbOverview(List<KbConfig> kbs, List<QueueSnapshot> queues) {
    public KbOverview {
        kbs = List.copyOf(kbs);
        queues = List.copyOf(queues);
    }

    public JsonObject toJson() {
        JsonArray kbArray = new JsonArray();
        kbs.forEach(kb -> kbArray.add(kb.toJson()));
        JsonArray queueArray = new JsonArray();
        queues.forEach(q -> queueArray.add(q.toJson()));
        return new JsonObject().put("kbs", kbArray).put("queues", queueArray);
    }

    public static KbOverview fromJson(JsonObject json) {
        return new KbOverview(
                Json.list(json.getJsonArray("kbs"), KbConfig::fromJson),
                Json.list(json.getJsonArray("queues"), QueueSnapshot::fromJson));
    }
}
