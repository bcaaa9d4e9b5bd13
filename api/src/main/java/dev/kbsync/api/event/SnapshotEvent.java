package dev.kbsync.api.event;

import dev.kbsync.api.QueueSnapshot;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** A KB's queue as it is now ({@code GET /v1/kbs/{kb}/events} and {@code GET /v1/events}); never ends a stream. */
public record SnapshotEvent(QueueSnapshot snapshot) implements KbsyncEvent {
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

    /** The event an SSE frame carries; empty for an event name this version does not know. */
    public static Optional<SnapshotEvent> decode(String name, JsonObject data) {
        return name.equals("snapshot")
                ? Optional.of(new SnapshotEvent(QueueSnapshot.fromJson(data)))
                : Optional.empty();
    }
}
