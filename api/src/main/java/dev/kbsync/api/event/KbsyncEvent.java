package dev.kbsync.api.event;

import io.vertx.core.json.JsonObject;

/**
 * One event of a kbsync event stream, as it travels on the coordinator's local event bus and, encoded once here, as a
 * Server-Sent Event: {@code event: <name>} and {@code data: <json>}. {@link #last()} events end their stream.
 */
public sealed interface KbsyncEvent permits JobEvent, LeaseEvent, QueueEvent {
    /** The SSE event name. */
    String name();

    /** The SSE data: the whole record the event is about. */
    JsonObject data();

    /** Whether the stream ends after this event (a finished job, a released or expired lease). */
    boolean last();

    /** The SSE frame: {@code event: <name>\ndata: <json>\n\n}. */
    default String frame() {
        return "event: " + name() + "\ndata: " + data().encode() + "\n\n";
    }
}
