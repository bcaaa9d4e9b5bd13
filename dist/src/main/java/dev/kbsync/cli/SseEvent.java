package dev.kbsync.cli;

import io.vertx.core.json.JsonObject;

/** One server-sent event: its name and JSON data. */
record SseEvent(String name, JsonObject data) {}
