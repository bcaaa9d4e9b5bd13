package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseParserTest {
    private final List<String> events = new ArrayList<>();
    private final SseParser parser = new SseParser((name, data) -> events.add(name + "=" + data));

    @Test
    void shouldSkipCommentsAndDispatchEachEventAtItsBlankLine() {
        parser.feed(Buffer.buffer(
                ": kbsync\n\nevent: state\ndata: {\"a\":1}\n\n: keep-alive\n\nevent: position\ndata: {}\n"));
        assertThat(events).containsExactly("state={\"a\":1}");

        parser.feed(Buffer.buffer("\n"));
        assertThat(events).containsExactly("state={\"a\":1}", "position={}");
    }

    @Test
    void shouldJoinLinesSplitAcrossChunksEvenInsideACharacter() {
        byte[] bytes = "event: state\r\ndata: {\"user\":\"Zoë\"}\r\n\r\n".getBytes(StandardCharsets.UTF_8);
        int inside = new String(bytes, StandardCharsets.UTF_8).indexOf('ë') + 1 + "".length();
        for (byte[] chunk : List.of(
                Arrays.copyOfRange(bytes, 0, inside + 1), Arrays.copyOfRange(bytes, inside + 1, bytes.length))) {
            parser.feed(Buffer.buffer(chunk));
        }
        assertThat(events).containsExactly("state={\"user\":\"Zoë\"}");
    }

    @Test
    void shouldJoinSeveralDataLinesAndDefaultTheNameToMessage() {
        parser.feed(Buffer.buffer("data:one\ndata: two\nid: 7\n\n"));
        assertThat(events).containsExactly("message=one\ntwo");
    }
}
