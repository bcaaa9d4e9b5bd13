package dev.kbsync.api.event;

import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueSnapshot;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/**
 * An event of a queue stream ({@code GET /v1/kbs/{kb}/events}, {@code GET /v1/events}): a KB's queue as it is now, or
 * the KB's removal, after which a KB's own stream ends.
 */
public sealed interface QueueEvent extends KbsyncEvent permits SnapshotEvent, KbRemovedEvent {
    /** The event an SSE frame carries; empty for an event name this version does not know. */
    static Optional<QueueEvent> decode(String name, JsonObject data) {
        return switch (name) {
            case "snapshot" -> Optional.of(new SnapshotEvent(QueueSnapshot.fromJson(data)));
            case "kb-removed" -> Optional.of(new KbRemovedEvent(KbId.of(data.getString("kb"))));
            default -> Optional.empty();
        };
    }
}
