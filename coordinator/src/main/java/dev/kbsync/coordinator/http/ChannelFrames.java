package dev.kbsync.coordinator.http;

import dev.kbsync.api.InvalidInputException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * A lease channel's frames as read: WebSocket fragments put together into whole frames (at most {@link #MAX_FRAME}
 * bytes), read as strict UTF-8 and strict JSON, their {@code ref}, {@code op} and each op's fields checked, then handed
 * to the op's handler ({@link ChannelOps}); a frame that fails a check is answered by its error frame. Runs on the
 * channel's context.
 */
final class ChannelFrames {
    private static final int MAX_REF = 64;
    /**
     * The longest frame (WebSocket message) a channel reads, its fragments together: the WebSocket layer's bound on one
     * fragment (HttpServerOptions' default maxWebSocketFrameSize), which would otherwise read 256 KiB in fragments.
     */
    static final int MAX_FRAME = 65_536;

    /** The fields of each op's frame (docs/api.md, "Lease channel"). */
    private static final Map<String, String[]> FIELDS = Map.of(
            "request", new String[] {"op", "ref", "kb", "holder", "ttlMs", "waitMs", "positions"},
            "heartbeat", new String[] {"op", "ref", "id", "doing"},
            "release", new String[] {"op", "ref", "id"});

    private final LeaseChannel channel;
    private final ChannelOps ops;

    /** The WebSocket message being read, fragment by fragment (null between messages; a binary one is not kept). */
    private Buffer reading;

    private boolean binary;
    /** The bytes of {@link #reading} so far. */
    private int readingBytes;

    ChannelFrames(LeaseChannel channel, ChannelOps ops) {
        this.channel = channel;
        this.ops = ops;
    }

    /**
     * One WebSocket frame: a channel frame (a WebSocket message) may come in fragments and is read once whole, as
     * strict UTF-8: a text frame that is not UTF-8 is refused, not read with replacement characters.
     */
    void fragment(WebSocketFrame fragment) {
        if (fragment.isText() || fragment.isBinary()) {
            reading = Buffer.buffer();
            readingBytes = 0;
            binary = fragment.isBinary();
        } else if (!fragment.isContinuation() || reading == null) {
            return; // a ping, pong or close: the WebSocket layer answers it
        }
        readingBytes += fragment.binaryData().length();
        if (readingBytes > MAX_FRAME) { // as the WebSocket layer closes on one fragment over the bound
            reading = null;
            channel.close((short) 1009, "a frame is at most " + MAX_FRAME + " bytes");
            return;
        }
        if (!binary) {
            reading.appendBuffer(fragment.binaryData());
        }
        if (!fragment.isFinal()) {
            return;
        }
        Buffer whole = reading;
        reading = null;
        channel.heard();
        if (binary) {
            refuse(null, "INVALID_FRAME", "frames are JSON text, not binary");
            return;
        }
        Optional<String> text = Utf8.decode(whole.getBytes());
        if (text.isEmpty()) {
            refuse(null, "INVALID_FRAME", "a text frame is UTF-8");
            return;
        }
        frame(text.get());
    }

    private void frame(String text) {
        channel.heard();
        if (channel.isClosed()) {
            return;
        }
        JsonObject frame;
        try {
            Bodies.strict(text);
            frame = new JsonObject(text);
        } catch (DecodeException | ClassCastException | IOException e) {
            refuse(null, "INVALID_FRAME", "a frame is a JSON object");
            return;
        }
        Object rawRef = frame.getValue("ref");
        if (!(rawRef instanceof String ref)
                || ref.isEmpty()
                || ref.length() > MAX_REF
                || !StandardCharsets.UTF_8.newEncoder().canEncode(ref)) { // a lone surrogate would come back as "?"
            refuse(null, "INVALID_FRAME", "a frame needs a \"ref\": a string of 1-" + MAX_REF + " characters");
            return;
        }
        // a frame without an op (or with one that is no string) is no call at all, as one with an unknown op
        String op = frame.getValue("op") instanceof String named ? named : "";
        String[] allowed = FIELDS.get(op);
        if (allowed == null) {
            refuse(ref, "INVALID_FRAME", "a frame needs an \"op\": one of request, release, heartbeat");
            return;
        }
        try {
            Fields fields = Fields.of(frame, "", allowed); // a field of another op is refused, not ignored
            switch (op) {
                case "request" -> ops.request(ref, fields);
                case "release" -> ops.release(ref, fields);
                default -> ops.heartbeat(ref, fields);
            }
        } catch (RuntimeException e) {
            failed(ref, e);
        }
    }

    private void failed(String ref, Throwable failure) {
        channel.send(Failures.frame(
                        failure, "the lease channel of " + channel.caller().name())
                .put("ref", ref));
    }

    private void refuse(String ref, String code, String message) {
        failed(ref, new InvalidInputException(code, message));
    }
}
