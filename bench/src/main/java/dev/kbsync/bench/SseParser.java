package dev.kbsync.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;

/** Splits a text/event-stream into frames ({@code event:} + {@code data:}, ended by a blank line). */
final class SseParser {
    private final RecordParser lines;
    private String type = "message";
    private String data;

    SseParser(Api.SseListener listener) {
        lines = RecordParser.newDelimited("\n", line -> onLine(line.toString(), listener));
    }

    void feed(Buffer chunk) {
        lines.handle(chunk);
    }

    private void onLine(String line, Api.SseListener listener) {
        if (line.isEmpty()) {
            if (data != null) {
                listener.onEvent(type, new JsonObject(data));
            }
            type = "message";
            data = null;
        } else if (line.startsWith("event:")) {
            type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
            data = line.substring(5).trim();
        }
    }
}
