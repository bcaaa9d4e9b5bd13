package dev.kbsync.api.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;

/**
 * Splits a {@code text/event-stream} body into events: {@code event:} and {@code data:} lines (several data lines join
 * with a newline), dispatched at a blank line; comments ({@code :...}) and other fields are skipped. Lines split
 * across chunks (even inside a UTF-8 character) are joined first. Used from one thread (the stream's context).
 */
final class SseParser {
    /** Receives each complete event. */
    interface Listener {
        void onEvent(String name, String data);
    }

    private final RecordParser lines;
    private final Listener listener;
    private String name = "message";
    private StringBuilder data;

    SseParser(Listener listener) {
        this.listener = listener;
        this.lines = RecordParser.newDelimited("\n", this::line);
    }

    void feed(Buffer chunk) {
        lines.handle(chunk);
    }

    private void line(Buffer bytes) {
        String line = bytes.toString(StandardCharsets.UTF_8);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
            dispatch();
        } else if (line.startsWith("event:")) {
            name = value(line, 6);
        } else if (line.startsWith("data:")) {
            data = data == null ? new StringBuilder() : data.append('\n');
            data.append(value(line, 5));
        }
    }

    private void dispatch() {
        if (data != null) {
            listener.onEvent(name, data.toString());
        }
        name = "message";
        data = null;
    }

    /** The field's value: after the colon, without one leading space. */
    private static String value(String line, int colon) {
        return line.startsWith(" ", colon) ? line.substring(colon + 1) : line.substring(colon);
    }
}
