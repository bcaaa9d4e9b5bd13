package dev.kbsync.coordinator.http;

import io.vertx.core.json.JsonObject;

/** One Server-Sent Event: {@code event: <name>} and {@code data: <json>}; {@code last} ends the stream after it. */
record SseEvent(String name, JsonObject data, boolean last) {
    String frame() {
        return "event: " + name + "\ndata: " + data.encode() + "\n\n";
    }
}
