package dev.kbsync.coordinator.queue;

import dev.kbsync.kb.KbId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Optional;

/** A KB's queue at one moment: the holder (if granted) and the waiters in grant order, plus recent average hold. */
public record QueueSnapshot(KbId kb, Optional<QueueEntry> holder, List<QueueEntry> waiters, long avgHoldMs) {
    public QueueSnapshot {
        waiters = List.copyOf(waiters);
    }

    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        waiters.forEach(w -> list.add(w.toJson()));
        return new JsonObject()
                .put("kb", kb.value())
                .put("holder", holder.map(QueueEntry::toJson).orElse(null))
                .put("waiters", list)
                .put("avgHoldMs", avgHoldMs);
    }
}
