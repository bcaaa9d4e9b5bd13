package dev.kbsync.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads the commands a Redis client sends (RESP arrays of bulk strings, as every client library sends them) out of
 * the byte stream of one connection, chunk by chunk, and hands each complete one on as its arguments (each cut to 80
 * characters: enough to tell commands and keys apart).
 */
final class RespCommands {
    private static final int SHOWN = 80;

    private final Consumer<List<String>> sink;
    private byte[] pending = new byte[0];

    RespCommands(Consumer<List<String>> sink) {
        this.sink = sink;
    }

    /** The next bytes the client sent. */
    void accept(byte[] chunk) {
        ByteArrayOutputStream joined = new ByteArrayOutputStream(pending.length + chunk.length);
        joined.writeBytes(pending);
        joined.writeBytes(chunk);
        byte[] bytes = joined.toByteArray();
        int at = 0;
        try {
            for (int end; (end = command(bytes, at)) >= 0; ) {
                at = end;
            }
        } catch (RuntimeException notACommand) { // joined mid-stream: wait for the next command's start
            at = bytes.length;
        }
        boolean inCommand = at < bytes.length && bytes[at] == '*';
        pending = inCommand ? Arrays.copyOfRange(bytes, at, bytes.length) : new byte[0]; // else: joined mid-command
    }

    /** Parses one command at {@code at}; returns the offset after it, or -1 if it is not complete yet. */
    private int command(byte[] bytes, int at) {
        if (at >= bytes.length || bytes[at] != '*') {
            return -1;
        }
        int line = lineEnd(bytes, at);
        if (line < 0) {
            return -1;
        }
        int count = Integer.parseInt(new String(bytes, at + 1, line - at - 1, StandardCharsets.US_ASCII));
        int pos = line + 2;
        List<String> args = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int header = lineEnd(bytes, pos);
            if (header < 0) {
                return -1;
            }
            int length = Integer.parseInt(new String(bytes, pos + 1, header - pos - 1, StandardCharsets.US_ASCII));
            int data = header + 2;
            if (data + length + 2 > bytes.length) {
                return -1;
            }
            args.add(new String(bytes, data, Math.min(length, SHOWN), StandardCharsets.UTF_8));
            pos = data + length + 2;
        }
        sink.accept(args);
        return pos;
    }

    private static int lineEnd(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
