package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/**
 * A KB's queue at one moment: the holder (if granted), the jobs running with it in one group commit ({@code running},
 * in grant order), the waiters in grant order, and the recent average hold.
 */
public record QueueSnapshot(
        KbId kb, Optional<QueueEntry> holder, List<QueueEntry> running, List<QueueEntry> waiters, long avgHoldMs) {
    public QueueSnapshot {
        running = List.copyOf(running);
        waiters = List.copyOf(waiters);
    }

    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        waiters.forEach(w -> list.add(w.toJson()));
        JsonArray batch = new JsonArray();
        running.forEach(r -> batch.add(r.toJson()));
        return new JsonObject()
                .put("kb", kb.value())
                .put("holder", holder.map(QueueEntry::toJson).orElse(null))
                .put("running", batch)
                .put("waiters", list)
                .put("avgHoldMs", avgHoldMs);
    }

    public static QueueSnapshot fromJson(JsonObject json) {
        JsonObject holder = json.getJsonObject("holder");
        return new QueueSnapshot(
                KbId.of(json.getString("kb")),
                Optional.ofNullable(holder).map(QueueEntry::fromJson),
                Json.list(json.getJsonArray("running"), QueueEntry::fromJson),
                Json.list(json.getJsonArray("waiters"), QueueEntry::fromJson),
                json.getLong("avgHoldMs", 0L));
    }
}
