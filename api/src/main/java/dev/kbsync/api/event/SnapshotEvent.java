package dev.kbsync.api.event;

import dev.kbsync.api.QueueSnapshot;
import io.vertx.core.json.JsonObject;

/** A KB's queue as it is now ({@code GET /v1/kbs/{kb}/events} and {@code GET /v1/events}); never ends a stream. */
public record SnapshotEvent(QueueSnapshot snapshot) implements QueueEvent {
    @Override
    public String name() {
        return "snapshot";
    }

    @Override
    public JsonObject data() {
        return snapshot.toJson();
    }

    @Override
    public boolean last() {
        return false;
    }
}
