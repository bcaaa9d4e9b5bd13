package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Fuzzes the lease channel's frames (docs/api.md, "Lease channel") over a real channel from a fixed seed, as raw
 * WebSocket frames written by hand on a socket, so nothing is cleaned up on the way: text that is not JSON or not UTF-8,
 * binary frames, JSON of the wrong type, unknown ops, each field of each op with wrong types and edge values, unknown and
 * missing fields, bad refs, ids of leases that do not exist, belong to a KB outside the token's scope or are malformed,
 * frames over 64 KiB (whole or fragmented), fragmented frames, frames after the close, protocol violations, bursts,
 * pings and pongs. The rule it checks (docs/architecture.md, guarantee 8): each bad frame is answered by an error frame
 * in the documented shape, with its {@code ref} when one could be read, stores nothing and leaves the channel usable (a
 * heartbeat on the channel's own lease answers after it), or the channel closes with the documented code and releases
 * its leases; no error is logged. Run with {@code -Dkbsync.fuzz.seed=N} to try another seed ({@code
 * -Dkbsync.fuzz.only=text} runs only the cases whose name contains text); a failure prints the seed and each failing
 * case.
 */
class LeaseChannelFuzzIT {
    private static final long SEED = Long.getLong("kbsync.fuzz.seed", 0x6b62777366757aL);
    /** Only the cases whose name contains this ({@code -Dkbsync.fuzz.only=...}; all by default). */
    private static final String ONLY = System.getProperty("kbsync.fuzz.only", "");

    private static final String SCOPED = "client-token-fuzz-ws-01";
    private static final int TIMEOUT_MS = 5_000;
    private static final int MAX_FRAME = 64 * 1024;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(
            Map.of("KBSYNC_TOKENS", "", "KBSYNC_KBS", ""), """
            auth:
              tokens:
                - {token: %s, role: admin}
                - {token: %s, role: worker}
                - {token: %s, role: client}
                - {token: %s, role: client, name: ws-fuzzer, kbs: [fuzz-ws, "ghost-*"]}
            kbs:
              - {id: fuzz-ws, remote: /srv/git/fuzz-ws.git}
              - {id: fuzz-other, remote: /srv/git/fuzz-other.git}
            """.formatted(ADMIN, ApiFixture.WORKER, CLIENT, SCOPED));

    /** What moves on its own (lapsing leases, grants, sweeps): left out of the "stored nothing" check. */
    private static final Pattern MOVES_ON_ITS_OWN =
            Pattern.compile(":lock #|:ended |kbsync:ready|:stats|:alive |:lease #|:fence|:recent |:failures ");

    private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    /** A lease of a KB outside the fuzzing token's scope: its id is to be answered 404 on the channel. */
    private static String otherLease;

    @BeforeAll
    static void fixtures() {
        logged.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);
        otherLease = api.call(
                        HttpMethod.POST,
                        "/v1/kbs/fuzz-other/leases",
                        CLIENT,
                        new JsonObject().put("holder", "other").put("ttlMs", 60_000))
                .bodyAsJsonObject()
                .getString("id");
        assertThat(otherLease).startsWith("fuzz-other~");
    }

    @AfterAll
    static void detach() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    }

    /**
     * No WebSocket compression is negotiated: a compressed frame of a few KiB could inflate to many MiB before the frame
     * bound applies, and hold the event loop (and every other request on it) while it does.
     */
    @Test
    void shouldNegotiateNoCompressionWhateverTheClientOffers() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            String head = upgrade(
                    socket,
                    SCOPED,
                    "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-webkit-deflate-frame,"
                            + " deflate-frame\r\n");
            assertThat(head.toLowerCase(java.util.Locale.ROOT))
                    .as("the upgrade answer accepts no extension")
                    .doesNotContain("sec-websocket-extensions");
        }
    }

    /**
     * Opens a lease channel by hand on {@code socket} with {@code token} (and {@code headers}, each ending in CRLF):
     * writes the upgrade request, reads the answer's head (checked to be 101) and returns it.
     */
    static String upgrade(Socket socket, String token, String headers) throws IOException {
        socket.getOutputStream()
                .write(("GET /v1/leases/channel HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                + "Sec-WebSocket-Version: 13\r\n" + headers + "Authorization: Bearer " + token
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        java.io.InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("upgrade answer " + head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return head.toString();
    }

    @Test
    void shouldAnswerEveryMalformedFrameWithItsErrorStoreNothingAndStayUsable() throws Exception {
        Random random = new Random(SEED);
        long started = System.nanoTime();
        List<String> failures = new ArrayList<>();
        Channel channel = Channel.open();
        List<Case> cases = cases(random);
        cases.removeIf(c -> !c.name.contains(ONLY));
        int sent = 0;
        for (Case c : cases) {
            if (channel.closed) {
                channel = Channel.open();
            }
            String own = channel.own;
            Case bound = c.on(own);
            int logs = logCount();
            Set<String> before = api.storedItems();
            List<String> wrong = run(channel, bound);
            sent += bound.frames.size();
            if (!channel.closed) {
                stored(before, wrong);
                probe(channel, wrong);
            } else if (bound.closeCode != 0) {
                String state = leaseState(own);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                while (!"released".equals(state) && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                    state = leaseState(own);
                }
                if (!"released".equals(state)) {
                    wrong.add("the closed channel's lease is " + state + ", not released");
                }
                stored(before, wrong);
            }
            List<ILoggingEvent> errors = logsSince(logs);
            errors.removeIf(e -> !e.getLevel().isGreaterOrEqual(Level.ERROR));
            errors.forEach(
                    e -> wrong.add("logged " + e.getLevel() + " " + e.getLoggerName() + ": " + e.getFormattedMessage()
                            + (e.getThrowableProxy() == null
                                    ? ""
                                    : " " + e.getThrowableProxy().getClassName() + ": "
                                            + e.getThrowableProxy().getMessage())));
            if (!wrong.isEmpty()) {
                failures.add(bound.name + ": " + String.join("; ", wrong) + "\n    frames: " + bound.show());
            }
        }
        channel.close();
        failures.forEach(
                f -> System.out.println("FUZZ FAILURE " + f.lines().findFirst().orElse("")));
        System.out.printf(
                "LeaseChannelFuzzIT: seed %d, %d cases, %d frames in %d ms, %d failures%n",
                SEED, cases.size(), sent, (System.nanoTime() - started) / 1_000_000, failures.size());
        assertThat(failures)
                .as("seed " + SEED + " (-Dkbsync.fuzz.seed=" + SEED + "): " + failures.size() + " failing cases:\n"
                        + String.join("\n", failures.subList(0, Math.min(40, failures.size()))))
                .isEmpty();
    }

    // ---- the oracle ----

    /** Sends the case's frames and checks what comes back (errors, a close, a pong), in any order. */
    private static List<String> run(Channel channel, Case c) throws Exception {
        List<String> wrong = new ArrayList<>();
        channel.write(c.frames); // in one write: the coordinator reads them together as far as it can
        List<Expect> expected = new ArrayList<>(c.answers);
        List<String> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS + expected.size() * 20L);
        while (!expected.isEmpty() || c.closeCode != 0 || c.pong != null) {
            long left = deadline - System.nanoTime();
            Event event = left <= 0 ? null : channel.events.poll(left, TimeUnit.NANOSECONDS);
            if (event == null) {
                wrong.add("no answer in time; still expected " + expected
                        + (c.closeCode != 0 ? " and close " + c.closeCode : "") + (c.pong != null ? " and a pong" : "")
                        + "; got " + got);
                return wrong;
            }
            got.add(event.toString());
            if (event.pong != null) {
                if (c.pong != null && Arrays.equals(c.pong, event.pong)) {
                    c = c.withPong(null);
                } else {
                    wrong.add("an unasked pong " + event);
                }
            } else if (event.closeCode != 0) {
                channel.closed = true;
                if (Math.abs(c.closeCode) != event.closeCode) {
                    wrong.add("closed " + event.closeCode + " (" + event.closeReason + "), expected "
                            + (c.closeCode != 0 ? "close " + c.closeCode : expected));
                }
                return wrong;
            } else if (event.text != null) {
                Expect match = null;
                String problem = null;
                for (Expect e : expected) {
                    problem = e.check(event.text);
                    if (problem == null) {
                        match = e;
                        break;
                    }
                }
                if (match == null) {
                    wrong.add("answered " + event.text + (expected.size() == 1 ? " (" + problem + ")" : "")
                            + ", expected " + (c.closeCode != 0 ? "close " + c.closeCode : expected));
                    if (expected.size() == 1) {
                        expected.clear();
                    }
                } else {
                    expected.remove(match);
                }
            } else {
                channel.closed = true;
                if (c.closeCode < 0) {
                    return wrong;
                }
                wrong.add("the connection ended without a close frame (" + event.closeReason + "); expected "
                        + (c.closeCode != 0 ? "close " + c.closeCode : expected));
                return wrong;
            }
        }
        return wrong;
    }

    /** How many events were logged so far (the appender appends under its own lock, from the coordinator's threads). */
    private static int logCount() {
        synchronized (logged) {
            return logged.list.size();
        }
    }

    private static List<ILoggingEvent> logsSince(int from) {
        synchronized (logged) {
            return new ArrayList<>(logged.list.subList(from, logged.list.size()));
        }
    }

    /** What was stored since {@code before}, but for what moves on its own. */
    private static void stored(Set<String> before, List<String> wrong) {
        Set<String> added = new TreeSet<>(api.storedItems());
        added.removeAll(before);
        added.removeIf(item -> MOVES_ON_ITS_OWN.matcher(item).find());
        if (!added.isEmpty()) {
            wrong.add("stored " + added);
        }
    }

    private static int probes;

    /** A heartbeat on the channel's own lease: the channel still answers, and the lease is still granted. */
    private static void probe(Channel channel, List<String> wrong) throws Exception {
        String ref = "probe-" + probes++;
        channel.write(Frame.text("{\"op\":\"heartbeat\",\"ref\":\"" + ref + "\",\"id\":\"" + channel.own + "\"}"));
        while (true) {
            Event event = channel.events.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (event == null || event.text == null) {
                wrong.add("no answer to a valid heartbeat afterwards (" + event + ")");
                if (event != null && event.closeCode != 0) {
                    channel.closed = true;
                }
                return;
            }
            JsonObject answer = new JsonObject(event.text);
            if (!ref.equals(answer.getString("ref"))) {
                wrong.add("an extra answer " + event.text);
                continue;
            }
            JsonObject lease = answer.getJsonObject("lease");
            if (lease == null || !"granted".equals(lease.getString("state"))) {
                wrong.add("the channel's own lease is no longer granted: " + event.text);
                channel.closed = true; // a fresh channel and lease for the next case
                channel.close();
            }
            return;
        }
    }

    private static String leaseState(String id) {
        return api.call(HttpMethod.GET, "/v1/leases/" + id, CLIENT)
                .bodyAsJsonObject()
                .getString("state");
    }

    /** An expected error frame: its ref (null: none could be read), status and one of its codes (empty: any). */
    record Expect(String ref, int status, Set<String> codes) {
        static Expect of(String ref, int status, String... codes) {
            return new Expect(ref, status, Set.of(codes));
        }

        String check(String text) {
            JsonObject answer;
            try {
                answer = new JsonObject(text);
            } catch (RuntimeException e) {
                return "not a JSON object";
            }
            if (!answer.containsKey("ref") || !java.util.Objects.equals(ref, answer.getValue("ref"))) {
                return "ref " + answer.getValue("ref") + ", not " + ref;
            }
            if (!Set.of("ref", "error", "status", "retryAfterMs").containsAll(answer.fieldNames())) {
                return "fields " + answer.fieldNames() + " beyond ref, error, status, retryAfterMs";
            }
            if (!(answer.getValue("error") instanceof JsonObject error)
                    || !(error.getValue("code") instanceof String code)
                    || code.isBlank()
                    || !(error.getValue("message") instanceof String message)
                    || message.isBlank()
                    || error.size() != 2) {
                return "no {\"error\":{\"code\",\"message\"}}";
            }
            if (!(answer.getValue("status") instanceof Integer got) || got != status) {
                return "status " + answer.getValue("status") + ", not " + status;
            }
            if (!codes.isEmpty() && !codes.contains(code)) {
                return "code " + code + ", not one of " + codes;
            }
            if (status == 429 && !(answer.getValue("retryAfterMs") instanceof Number)) {
                return "a 429 without retryAfterMs";
            }
            return null;
        }

        @Override
        public String toString() {
            return ref + " " + status + " " + codes;
        }
    }

    // ---- the cases ----

    /** Stands in a frame's text for the id of the channel's own lease (known once the channel is open). */
    private static final String OWN = "\u0000OWN\u0000";

    /** Frames sent together and what they must get: error answers, or a close with {@code closeCode}, or a pong. */
    record Case(String name, List<Frame> frames, List<Expect> answers, int closeCode, byte[] pong) {
        static Case answered(String name, Frame frame, Expect expect) {
            return new Case(name, List.of(frame), List.of(expect), 0, null);
        }

        static Case closes(String name, List<Frame> frames, int code) {
            return new Case(name, frames, List.of(), code, null);
        }

        /** Closes with {@code code}, or without a close frame (stored as -code). */
        static Case closesOrDrops(String name, List<Frame> frames, int code) {
            return new Case(name, frames, List.of(), -code, null);
        }

        Case withPong(byte[] payload) {
            return new Case(name, frames, answers, closeCode, payload);
        }

        /** This case with the channel's own lease id in place of {@link #OWN}. */
        Case on(String own) {
            return new Case(name, frames.stream().map(f -> f.with(own)).toList(), answers, closeCode, pong);
        }

        String show() {
            StringBuilder shown = new StringBuilder();
            for (Frame frame : frames) {
                shown.append(frame.show()).append(' ');
            }
            String text = shown.toString();
            return text.length() > 400 ? text.substring(0, 400) + "... (" + text.length() + " chars)" : text;
        }
    }

    private static List<Case> cases(Random random) {
        List<Case> cases = new ArrayList<>();
        Refs refs = new Refs(random);
        // not JSON, not an object
        for (String text : List.of(
                "",
                " ",
                "not json",
                "{",
                "}",
                "{\"ref\":\"a\"",
                "{'ref':'a'}",
                "{\"ref\":\"a\",}",
                "{\"op\":\"heartbeat\",\"ref\":\"a\",\"id\":\"x\"} trailing",
                "{\"ref\":\"a\"}{\"ref\":\"b\"}",
                "null",
                "true",
                "0",
                "-1e400",
                "\"a string\"",
                "[]",
                "[{\"op\":\"heartbeat\",\"ref\":\"a\",\"id\":\"x\"}]",
                "\u0000",
                "\ufeff{\"op\":\"heartbeat\",\"ref\":\"a\",\"id\":\"x\"}",
                "[".repeat(5_000) + "]".repeat(5_000),
                "{\"ref\":\"deep\",\"x\":" + "[".repeat(3_000) + "]".repeat(3_000) + "}",
                "{\"ref\":\"num\",\"x\":" + "9".repeat(5_000) + "}",
                "{\"ref\":\"nan\",\"x\":NaN}",
                "{\"op\":\"heartbeat\",\"ref\":\"c\",\"id\":\"x\"} // a comment",
                "{\"op\":\"heartbeat\",/* a comment */\"ref\":\"c\",\"id\":\"x\"}",
                "{\"op\":\"heartbeat\",\"ref\":\"d\",\"ref\":\"e\",\"id\":\"x\"}")) {
            cases.add(Case.answered("not a JSON object", Frame.text(text), Expect.of(null, 400, "INVALID_FRAME")));
        }
        for (int i = 0; i < 20; i++) {
            cases.add(Case.answered(
                    "random text", Frame.text(refs.anyString(1 + random.nextInt(200))), Expect.of(null, 400)));
        }
        // text frames that are not UTF-8
        for (byte[] bad : List.of(
                new byte[] {(byte) 0xff},
                new byte[] {(byte) 0xc3, 0x28},
                new byte[] {(byte) 0xc0, (byte) 0xaf},
                new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
                new byte[] {(byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
                new byte[] {(byte) 0xe2, (byte) 0x82})) {
            cases.add(Case.answered(
                    "a text frame that is not UTF-8",
                    Frame.rawText(concat("{\"op\":\"heartbeat\",\"ref\":\"r", bad, "\",\"id\":\"" + OWN + "\"}")),
                    Expect.of(null, 400, "INVALID_FRAME")));
            cases.add(Case.answered(
                    "a text frame that is not UTF-8",
                    Frame.rawText(
                            concat("{\"op\":\"heartbeat\",\"ref\":\"u8\",\"id\":\"" + OWN + "\",\"x\":\"", bad, "\"}")),
                    Expect.of(null, 400, "INVALID_FRAME")));
        }
        // binary frames
        cases.add(Case.answered(
                "an empty binary frame", Frame.binary(new byte[0]), Expect.of(null, 400, "INVALID_FRAME")));
        cases.add(Case.answered(
                "a binary frame of a valid call",
                Frame.binary(("{\"op\":\"heartbeat\",\"ref\":\"bin\",\"id\":\"" + OWN + "\"}")
                        .getBytes(StandardCharsets.UTF_8)),
                Expect.of(null, 400, "INVALID_FRAME")));
        for (int i = 0; i < 10; i++) {
            byte[] bytes = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(bytes);
            cases.add(
                    Case.answered("a random binary frame", Frame.binary(bytes), Expect.of(null, 400, "INVALID_FRAME")));
        }
        // refs
        for (Object ref : List.of(
                "",
                "x".repeat(65),
                "x".repeat(10_000),
                1,
                0,
                -1,
                1.5,
                true,
                false,
                List.of(),
                Map.of(),
                Map.of("a", 1))) {
            cases.add(Case.answered(
                    "a bad ref",
                    Frame.text(new JsonObject()
                            .put("op", "heartbeat")
                            .put("ref", ref)
                            .put("id", OWN)
                            .encode()),
                    Expect.of(null, 400, "INVALID_FRAME")));
        }
        cases.add(Case.answered(
                "a null ref",
                Frame.text("{\"op\":\"heartbeat\",\"ref\":null,\"id\":\"" + OWN + "\"}"),
                Expect.of(null, 400, "INVALID_FRAME")));
        cases.add(Case.answered(
                "no ref",
                Frame.text("{\"op\":\"heartbeat\",\"id\":\"" + OWN + "\"}"),
                Expect.of(null, 400, "INVALID_FRAME")));
        for (int i = 0; i < 20; i++) { // odd but valid refs come back as they were sent
            String ref = refs.odd();
            cases.add(Case.answered(
                    "an odd valid ref",
                    Frame.text(new JsonObject()
                            .put("op", "heartbeat")
                            .put("ref", ref)
                            .put("id", "fuzz-ws~missing")
                            .encode()),
                    Expect.of(ref, 409, "LEASE_LOST"))); // a heartbeat of a lease of its KB it cannot keep alive
        }
        for (String ref : List.of("\\ud800x", "x\\udfff", "\\udfff\\ud800")) { // lone surrogates, escaped
            cases.add(Case.answered(
                    "a ref with a lone surrogate",
                    Frame.text("{\"op\":\"heartbeat\",\"ref\":\"" + ref + "\",\"id\":\"fuzz-ws~missing\"}"),
                    Expect.of(null, 400, "INVALID_FRAME"))); // it could not come back as it was sent
        }
        // ops
        for (Object op :
                List.of("", "lock", "REQUEST", "Request", " request", "request\u0000", "x".repeat(5_000), "réquest")) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "an unknown op",
                    Frame.text(new JsonObject()
                            .put("op", op)
                            .put("ref", ref)
                            .put("kb", "fuzz-ws")
                            .put("holder", "h")
                            .encode()),
                    Expect.of(ref, 400, "INVALID_FRAME")));
        }
        for (Object op : List.of(1, true, List.of("request"), Map.of("op", "request"), 1e300)) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "an op of the wrong type",
                    Frame.text(new JsonObject()
                            .put("op", op)
                            .put("ref", ref)
                            .put("kb", "fuzz-ws")
                            .put("holder", "h")
                            .encode()),
                    Expect.of(ref, 400, "INVALID_FRAME")));
        }
        for (String text :
                List.of("{\"ref\":\"%s\",\"op\":null,\"kb\":\"fuzz-ws\",\"holder\":\"h\"}", "{\"ref\":\"%s\"}")) {
            String ref = refs.next();
            cases.add(Case.answered("no op", Frame.text(text.formatted(ref)), Expect.of(ref, 400, "INVALID_FRAME")));
        }
        // each field of each op
        fieldCases(cases, random, refs);
        // many frames quickly: a burst of bad frames, each answered with its ref
        List<Frame> burst = new ArrayList<>();
        List<Expect> answers = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String ref = "burst-" + i;
            switch (i % 4) {
                case 0 -> {
                    burst.add(Frame.text(
                            "{\"op\":\"heartbeat\",\"ref\":\"" + ref + "\",\"id\":\"fuzz-ws~gone-" + i + "\"}"));
                    answers.add(Expect.of(ref, 409, "LEASE_LOST"));
                }
                case 1 -> {
                    burst.add(Frame.text("{\"op\":\"request\",\"ref\":\"" + ref
                            + "\",\"kb\":\"fuzz-ws\",\"holder\":\"h\",\"ttlMs\":1}"));
                    answers.add(Expect.of(ref, 400, "INVALID_TTL"));
                }
                case 2 -> {
                    burst.add(Frame.text("{\"op\":\"jump\",\"ref\":\"" + ref + "\"}"));
                    answers.add(Expect.of(ref, 400, "INVALID_FRAME"));
                }
                default -> {
                    burst.add(Frame.text("{\"op\":\"release\",\"ref\":\"" + ref + "\",\"id\":\"" + otherLease + "\"}"));
                    answers.add(Expect.of(ref, 404, "LEASE_NOT_FOUND"));
                }
            }
        }
        cases.add(new Case("a burst of 400 bad frames", burst, answers, 0, null));
        // duplicate refs in flight: each frame still answered
        cases.add(new Case(
                "one ref twice in flight",
                List.of(
                        Frame.text("{\"op\":\"heartbeat\",\"ref\":\"dup\",\"id\":\"fuzz-ws~nope\"}"),
                        Frame.text("{\"op\":\"release\",\"ref\":\"dup\",\"id\":\"fuzz-ws~nope\"}")),
                List.of(Expect.of("dup", 409, "LEASE_LOST"), Expect.of("dup", 404, "LEASE_NOT_FOUND")),
                0,
                null));
        // fragmented frames are read as the whole frame
        String fragmented = "{\"op\":\"heartbeat\",\"ref\":\"frag\",\"id\":\"fuzz-ws~fragmented\",\"pad\":\""
                + "p".repeat(20_000) + "\"}";
        cases.add(new Case(
                "a fragmented frame",
                fragments(fragmented.getBytes(StandardCharsets.UTF_8), 3, null),
                List.of(Expect.of("frag", 400, "UNKNOWN_FIELD")),
                0,
                null));
        cases.add(new Case(
                "a fragmented frame with a ping between its fragments",
                fragments(fragmented.getBytes(StandardCharsets.UTF_8), 4, "between".getBytes(StandardCharsets.UTF_8)),
                List.of(Expect.of("frag", 400, "UNKNOWN_FIELD")),
                0,
                "between".getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case(
                "a frame cut in one-byte fragments",
                fragments(
                        "{\"op\":\"heartbeat\",\"ref\":\"bytes\",\"id\":\"fuzz-ws~x\"}"
                                .getBytes(StandardCharsets.UTF_8),
                        1_000,
                        null),
                List.of(Expect.of("bytes", 409, "LEASE_LOST")),
                0,
                null));
        // ping and pong
        cases.add(new Case(
                "a ping",
                List.of(Frame.control(0x9, "hello".getBytes(StandardCharsets.UTF_8))),
                List.of(),
                0,
                "hello".getBytes(StandardCharsets.UTF_8)));
        cases.add(new Case("an empty ping", List.of(Frame.control(0x9, new byte[0])), List.of(), 0, new byte[0]));
        cases.add(new Case(
                "an unasked pong",
                List.of(Frame.control(0xA, "pong".getBytes(StandardCharsets.UTF_8))),
                List.of(),
                0,
                null));
        // a frame just under the bound is read; one over it is not (close 1009), fragmented or not
        String under = "{\"op\":\"heartbeat\",\"ref\":\"big\",\"id\":\"" + OWN + "\",\"pad\":\"";
        cases.add(Case.answered(
                "a frame just under 64 KiB",
                Frame.text(under + "p".repeat(MAX_FRAME - under.length() - 200) + "\"}"),
                Expect.of("big", 400, "UNKNOWN_FIELD")));
        cases.add(Case.answered(
                "a kb of 60,000 characters",
                Frame.text("{\"op\":\"request\",\"ref\":\"longkb\",\"holder\":\"h\",\"kb\":\"" + "k".repeat(60_000)
                        + "\"}"),
                Expect.of("longkb", 400, "INVALID_KB")));
        cases.add(Case.closes("a frame over 64 KiB", List.of(Frame.text(under + "p".repeat(MAX_FRAME) + "\"}")), 1009));
        cases.add(Case.closes(
                "a frame over 64 KiB in fragments of 16 KiB",
                fragments((under + "p".repeat(MAX_FRAME) + "\"}").getBytes(StandardCharsets.UTF_8), 5, null),
                1009));
        cases.add(Case.closes(
                "a frame over 256 KiB in fragments of 32 KiB",
                fragments((under + "p".repeat(4 * MAX_FRAME) + "\"}").getBytes(StandardCharsets.UTF_8), 9, null),
                1009));
        // frames after the close: not read
        cases.add(Case.closes(
                "frames after the client's close",
                List.of(
                        Frame.control(0x8, new byte[] {0x03, (byte) 0xe8}),
                        Frame.text("{\"op\":\"request\",\"ref\":\"late\",\"kb\":\"fuzz-ws\",\"holder\":\"late\"}"),
                        Frame.text("{\"op\":\"release\",\"ref\":\"late2\",\"id\":\"" + OWN + "\"}")),
                1000));
        // WebSocket protocol errors: the WebSocket layer closes the channel (1002, RFC 6455)
        cases.add(Case.closes(
                "a continuation with no frame to continue",
                List.of(new Frame(0x0, true, 0, true, "{}".getBytes(StandardCharsets.UTF_8))),
                1002));
        // Vert.x closes the connection as soon as it finds the violation, before the close frame written then is
        // flushed when other frames were read in the same read (here: the first fragment)
        cases.add(Case.closesOrDrops(
                "a new text frame inside a fragmented one",
                List.of(
                        new Frame(0x1, false, 0, true, "{\"ref\":".getBytes(StandardCharsets.UTF_8)),
                        new Frame(0x1, true, 0, true, "{}".getBytes(StandardCharsets.UTF_8))),
                1002));
        cases.add(Case.closes(
                "an unmasked frame",
                List.of(new Frame(0x1, true, 0, false, "{}".getBytes(StandardCharsets.UTF_8))),
                1002));
        cases.add(Case.closes(
                "a reserved opcode",
                List.of(new Frame(0x3, true, 0, true, "{}".getBytes(StandardCharsets.UTF_8))),
                1002));
        // reserved bits with no extension negotiated (the coordinator negotiates none: no compression)
        for (int rsv : new int[] {0x40, 0x20, 0x10}) {
            cases.add(Case.closes(
                    "a text frame with reserved bit " + Integer.toHexString(rsv),
                    List.of(new Frame(0x1, true, rsv, true, "{}".getBytes(StandardCharsets.UTF_8))),
                    1002));
        }
        cases.add(Case.closes("a fragmented ping", List.of(new Frame(0x9, false, 0, true, new byte[] {1})), 1002));
        cases.add(Case.closes("a ping over 125 bytes", List.of(Frame.control(0x9, new byte[126])), 1002));
        return cases;
    }

    /** Each field of each op, wrong in one way at a time (the rest of the frame valid, on real leases). */
    private static void fieldCases(List<Case> cases, Random random, Refs refs) {
        List<Object> notStrings =
                List.of(1, -1, 0, 1.5, 1e300, true, false, List.of(), List.of("fuzz-ws"), Map.of(), Map.of("a", "b"));
        List<Object> notIntegers = List.of(
                "1000",
                "",
                true,
                1.5,
                1e300,
                -1e300,
                5000.0000001,
                List.of(),
                Map.of(),
                new java.math.BigInteger("99999999999999999999"));
        List<Object> notBooleans = List.of("true", "false", 1, 0, List.of(), Map.of(), "");
        // request: kb, holder, ttlMs, waitMs, positions
        for (Object kb : concatList(
                notStrings,
                List.of(
                        "",
                        "Fuzz-WS",
                        "fuzz ws",
                        "-fuzz",
                        "fuzz/ws",
                        "../fuzz-ws",
                        "k".repeat(65),
                        "fuzz-ws\u0000",
                        "fuzz-ws\n",
                        "fuzz-wś",
                        "fuzz-ws\u200b",
                        "😀",
                        refs.anyString(20)))) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "request: a bad kb",
                    Frame.text(request(ref).put("kb", kb).encode()),
                    kb instanceof String ? Expect.of(ref, 400, "INVALID_KB") : Expect.of(ref, 400, "INVALID_FIELD")));
        }
        for (String kb : List.of("fuzz-other", "demo", "nowhere")) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "request: a KB outside the token's scope",
                    Frame.text(request(ref).put("kb", kb).encode()),
                    Expect.of(ref, 403, "SCOPE_KB")));
        }
        for (String kb : List.of("ghost-1", "ghost-" + "g".repeat(58))) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "request: a KB that does not exist",
                    Frame.text(request(ref).put("kb", kb).encode()),
                    Expect.of(ref, 404, "KB_NOT_FOUND")));
        }
        for (Object holder : concatList(
                notStrings,
                List.of("", " ", "h h", "h".repeat(65), "h\u0000", "h\n", "hé", "😀", "h/../x", refs.anyString(30)))) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "request: a bad holder",
                    Frame.text(request(ref).put("holder", holder).encode()),
                    holder instanceof String
                            ? Expect.of(ref, 400, "INVALID_HOLDER")
                            : Expect.of(ref, 400, "INVALID_FIELD")));
        }
        for (Object ttl : concatList(
                notIntegers,
                List.of(
                        0,
                        1,
                        999,
                        -1,
                        -1000,
                        Integer.MIN_VALUE,
                        Long.MIN_VALUE,
                        Long.MAX_VALUE,
                        Integer.MAX_VALUE,
                        3_600_001L * 24 * 365))) {
            String ref = refs.next();
            boolean integral = ttl instanceof Integer || ttl instanceof Long;
            cases.add(Case.answered(
                    "request: a bad ttlMs",
                    Frame.text(request(ref).put("ttlMs", ttl).encode()),
                    integral ? Expect.of(ref, 400, "INVALID_TTL") : Expect.of(ref, 400, "INVALID_FIELD")));
        }
        for (Object wait : concatList(notIntegers, List.of(-1, Integer.MIN_VALUE, Long.MIN_VALUE))) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "request: a bad waitMs",
                    Frame.text(request(ref).put("waitMs", wait).encode()),
                    Expect.of(ref, 400, "INVALID_FIELD")));
        }
        for (Object positions : notBooleans) {
            String ref = refs.next();
            cases.add(Case.answered(
                    "request: a bad positions",
                    Frame.text(request(ref).put("positions", positions).encode()),
                    Expect.of(ref, 400, "INVALID_FIELD")));
        }
        for (String raw : List.of(
                "\"ttlMs\":1e400",
                "\"ttlMs\":-1e400",
                "\"ttlMs\":1E4",
                "\"ttlMs\":5000.0",
                "\"ttlMs\":-0",
                "\"ttlMs\":" + "9".repeat(400),
                "\"waitMs\":1e400",
                "\"waitMs\":-1e400",
                "\"waitMs\":0.5",
                "\"waitMs\":-" + "9".repeat(30))) {
            String ref = refs.next();
            String text = request(ref).encode();
            cases.add(Case.answered(
                    "request: a bad number " + raw,
                    Frame.text(text.substring(0, text.length() - 1) + "," + raw + "}"),
                    Expect.of(ref, 400)));
        }
        for (String raw : List.of("\"ttlMs\":0x10", "\"positions\":nul", "\"ttlMs\":+5000", "\"ttlMs\":01000")) {
            String text = request(refs.next()).encode();
            cases.add(Case.answered(
                    "request: not JSON " + raw,
                    Frame.text(text.substring(0, text.length() - 1) + "," + raw + "}"),
                    Expect.of(null, 400, "INVALID_FRAME")));
        }
        for (String field : List.of("kb", "holder")) {
            String ref = refs.next();
            JsonObject frame = request(ref);
            frame.remove(field);
            cases.add(Case.answered(
                    "request: no " + field, Frame.text(frame.encode()), Expect.of(ref, 400, "MISSING_FIELD")));
            String nullRef = refs.next();
            cases.add(Case.answered(
                    "request: a null " + field,
                    Frame.text(request(nullRef).putNull(field).encode()),
                    Expect.of(nullRef, 400, "MISSING_FIELD")));
        }
        // heartbeat and release: id
        for (String op : List.of("heartbeat", "release")) {
            for (Object id : notStrings) {
                String ref = refs.next();
                cases.add(Case.answered(
                        op + ": an id of the wrong type",
                        Frame.text(call(op, ref).put("id", id).encode()),
                        Expect.of(ref, 400, "INVALID_FIELD")));
            }
            for (String id : List.of(
                    "",
                    " ",
                    "i".repeat(129),
                    "fuzz-ws~" + "x".repeat(200),
                    "fuzz ws~1",
                    "fuzz-ws/1",
                    "../x",
                    "a\u0000b",
                    "a\nb",
                    "fuzz-ws~é",
                    "😀",
                    refs.anyString(40) + "\u0001")) {
                String ref = refs.next();
                cases.add(Case.answered(
                        op + ": a malformed id",
                        Frame.text(call(op, ref).put("id", id).encode()),
                        Expect.of(ref, 400, "INVALID_LEASE_ID")));
            }
            for (String id : List.of(
                    "fuzz-ws~missing",
                    "fuzz-ws~" + "9".repeat(100),
                    "x",
                    "ghost-1~1",
                    "fuzz-ws",
                    "fuzz-other~missing",
                    "i".repeat(128),
                    otherLease,
                    otherLease.replace("fuzz-other~", "fuzz-ws~"))) {
                String ref = refs.next();
                // a heartbeat finds nothing to keep alive of a lease of the token's KB that does not exist (409, as
                // for one that ended); anything else about such an id, and any id outside its KBs, is not found
                boolean nothingToKeep =
                        op.equals("heartbeat") && (id.startsWith("fuzz-ws~") || id.startsWith("ghost-"));
                cases.add(Case.answered(
                        op + ": a lease that does not exist or is outside the token's scope",
                        Frame.text(call(op, ref).put("id", id).encode()),
                        nothingToKeep ? Expect.of(ref, 409, "LEASE_LOST") : Expect.of(ref, 404, "LEASE_NOT_FOUND")));
            }
            String ref = refs.next();
            cases.add(Case.answered(
                    op + ": no id", Frame.text(call(op, ref).encode()), Expect.of(ref, 400, "MISSING_FIELD")));
            String nullRef = refs.next();
            cases.add(Case.answered(
                    op + ": a null id",
                    Frame.text(call(op, nullRef).putNull("id").encode()),
                    Expect.of(nullRef, 400, "MISSING_FIELD")));
        }
        // unknown fields, and fields of another op, on every op (on the channel's own lease: it must stay untouched)
        Map<String, Object> foreign =
                Map.of("kb", "fuzz-ws", "holder", "h", "ttlMs", 5000, "waitMs", 0, "positions", true, "id", OWN);
        for (String op : List.of("request", "heartbeat", "release")) {
            Set<String> own =
                    op.equals("request") ? Set.of("kb", "holder", "ttlMs", "waitMs", "positions") : Set.of("id");
            List<String> extra = new ArrayList<>(
                    List.of("color", "", "REF", "Op", "\u0000", "x".repeat(500), "😀", "ref ", "lease"));
            foreign.keySet().stream().filter(f -> !own.contains(f)).sorted().forEach(extra::add);
            for (String field : extra) {
                for (Object value : List.of(foreign.getOrDefault(field, "red"), "bad", -1, Map.of("x", 1))) {
                    String ref = refs.next();
                    JsonObject frame =
                            op.equals("request") ? request(ref) : call(op, ref).put("id", OWN);
                    frame.put(field, value);
                    cases.add(Case.answered(
                            op + ": an unknown field " + field,
                            Frame.text(frame.encode()),
                            Expect.of(ref, 400, "UNKNOWN_FIELD")));
                }
            }
        }
        // request frames on KB fuzz-ws must never be taken: every one above has one thing wrong
        java.util.Collections.shuffle(cases.subList(0, cases.size()), random);
    }

    private static JsonObject request(String ref) {
        return new JsonObject()
                .put("op", "request")
                .put("ref", ref)
                .put("kb", "fuzz-ws")
                .put("holder", "fuzzer");
    }

    private static JsonObject call(String op, String ref) {
        return new JsonObject().put("op", op).put("ref", ref);
    }

    private static <T> List<T> concatList(List<? extends T> a, List<? extends T> b) {
        List<T> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(after.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    /** {@code payload} as a text frame in {@code parts} fragments, with a ping after the first when {@code ping}. */
    private static List<Frame> fragments(byte[] payload, int parts, byte[] ping) {
        List<Frame> frames = new ArrayList<>();
        int size = Math.max(1, (payload.length + parts - 1) / parts);
        for (int at = 0; at < payload.length; at += size) {
            boolean last = at + size >= payload.length;
            frames.add(new Frame(
                    frames.isEmpty() ? 0x1 : 0x0,
                    last,
                    0,
                    true,
                    Arrays.copyOfRange(payload, at, Math.min(payload.length, at + size))));
            if (ping != null && frames.size() == 1) {
                frames.add(Frame.control(0x9, ping));
            }
        }
        return frames;
    }

    /** Refs for cases: fresh plain ones, and odd but valid ones (controls, quotes, non-ASCII, 64 characters). */
    private static final class Refs {
        private final Random random;
        private int n;

        Refs(Random random) {
            this.random = random;
        }

        String next() {
            return "r" + n++;
        }

        String odd() {
            String ref = switch (random.nextInt(6)) {
                case 0 -> "\u0001\t\n\"\\/" + n;
                case 1 -> "日本語-" + n;
                case 2 -> ("é" + n + "x".repeat(64)).substring(0, 64);
                case 3 -> " " + n + " ";
                case 4 -> "😀" + n;
                default -> anyString(1 + random.nextInt(40)) + n;
            };
            n++;
            return ref.length() > 64 ? ref.substring(0, 64) : ref;
        }

        /** Random text from ASCII, controls and a few non-ASCII characters (whole code points). */
        String anyString(int length) {
            String pool = "abcXYZ019 {}[]\":,\\/\u0000\u0001\u001f\u007f\u00e9\u2028\u65e5";
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < length; i++) {
                text.append(pool.charAt(random.nextInt(pool.length())));
            }
            return text.toString();
        }
    }

    // ---- the wire ----

    /** One WebSocket frame as the client writes it. */
    record Frame(int opcode, boolean fin, int rsv, boolean masked, byte[] payload) {
        static Frame text(String text) {
            return new Frame(0x1, true, 0, true, text.getBytes(StandardCharsets.UTF_8));
        }

        static Frame rawText(byte[] bytes) {
            return new Frame(0x1, true, 0, true, bytes);
        }

        static Frame binary(byte[] bytes) {
            return new Frame(0x2, true, 0, true, bytes);
        }

        static Frame control(int opcode, byte[] payload) {
            return new Frame(opcode, true, 0, true, payload);
        }

        Frame with(String own) {
            byte[] marker = OWN.getBytes(StandardCharsets.UTF_8);
            byte[] escaped = new JsonObject().put("x", OWN).encode().getBytes(StandardCharsets.UTF_8);
            String text = new String(payload, StandardCharsets.ISO_8859_1);
            String escapedMarker = new String(escaped, StandardCharsets.ISO_8859_1);
            escapedMarker = escapedMarker.substring(6, escapedMarker.length() - 2);
            text = text.replace(escapedMarker, own).replace(new String(marker, StandardCharsets.ISO_8859_1), own);
            return new Frame(opcode, fin, rsv, masked, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        String show() {
            String kind = switch (opcode) {
                case 0x0 -> "continuation";
                case 0x1 -> "text";
                case 0x2 -> "binary";
                case 0x8 -> "close";
                case 0x9 -> "ping";
                case 0xA -> "pong";
                default -> "opcode " + opcode;
            };
            String body = opcode == 0x2 ? payload.length + " bytes" : new String(payload, StandardCharsets.UTF_8);
            if (body.length() > 200) {
                body = body.substring(0, 200) + "... (" + payload.length + " bytes)";
            }
            return "[" + kind + (fin ? "" : " not fin") + (rsv != 0 ? " rsv " + rsv : "") + (masked ? "" : " unmasked")
                    + "] " + body.replace("\u0000", "\\0").replace("\n", "\\n");
        }
    }

    /** What the coordinator sent: a text frame, a pong, a close (its code), or the end of the connection. */
    record Event(String text, byte[] pong, int closeCode, String closeReason) {
        @Override
        public String toString() {
            if (text != null) {
                return text.length() > 300 ? text.substring(0, 300) + "..." : text;
            }
            if (pong != null) {
                return "pong " + new String(pong, StandardCharsets.UTF_8);
            }
            return closeCode != 0
                    ? "close " + closeCode + " " + closeReason
                    : "end of connection (" + closeReason + ")";
        }
    }

    /**
     * A lease channel opened by hand on a socket with the scoped token, holding a lease of its own (its probe): frames
     * are written as they are, the coordinator's pings are answered, and what it sends is queued.
     */
    private static final class Channel {
        final LinkedBlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private final Socket socket;
        private final OutputStream out;
        private final Random masks = new Random(1);
        volatile boolean closed;
        String own;

        private Channel(Socket socket) throws IOException {
            this.socket = socket;
            this.out = socket.getOutputStream();
        }

        static Channel open() throws Exception {
            Socket socket = new Socket("127.0.0.1", api.port());
            socket.setTcpNoDelay(true);
            Channel channel = new Channel(socket);
            upgrade(socket, SCOPED, "");
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Thread reader = new Thread(() -> channel.read(in), "ws-fuzz-reader");
            reader.setDaemon(true);
            reader.start();
            channel.write(Frame.text("{\"op\":\"request\",\"ref\":\"own\",\"kb\":\"fuzz-ws\",\"holder\":\"fuzzer\","
                    + "\"ttlMs\":60000,\"waitMs\":10000}"));
            Event answer = channel.events.poll(15, TimeUnit.SECONDS);
            assertThat(answer).isNotNull();
            JsonObject lease = new JsonObject(answer.text()).getJsonObject("lease");
            assertThat(lease.getString("state")).as(answer.text()).isEqualTo("granted");
            channel.own = lease.getString("id");
            return channel;
        }

        void write(Frame frame) throws IOException {
            write(List.of(frame));
        }

        synchronized void write(List<Frame> frames) throws IOException {
            if (socket.isClosed()) {
                return;
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (Frame frame : frames) {
                encode(frame, bytes);
            }
            try {
                out.write(bytes.toByteArray());
                out.flush();
            } catch (IOException e) { // closed by the coordinator meanwhile: what was sent is judged
            }
        }

        private void encode(Frame frame, ByteArrayOutputStream bytes) {
            bytes.write((frame.fin() ? 0x80 : 0) | frame.rsv() | frame.opcode());
            int maskBit = frame.masked() ? 0x80 : 0;
            int length = frame.payload().length;
            if (length < 126) {
                bytes.write(maskBit | length);
            } else if (length < 65_536) {
                bytes.write(maskBit | 126);
                bytes.write(length >> 8);
                bytes.write(length & 0xff);
            } else {
                bytes.write(maskBit | 127);
                bytes.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
            }
            byte[] payload = frame.payload().clone();
            if (frame.masked()) {
                byte[] mask = new byte[4];
                masks.nextBytes(mask);
                bytes.writeBytes(mask);
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            bytes.writeBytes(payload);
        }

        private void read(DataInputStream in) {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            try {
                while (true) {
                    int first = in.readUnsignedByte();
                    int second = in.readUnsignedByte();
                    long length = second & 0x7f;
                    if (length == 126) {
                        length = in.readUnsignedShort();
                    } else if (length == 127) {
                        length = in.readLong();
                    }
                    byte[] payload = new byte[(int) length];
                    in.readFully(payload);
                    int opcode = first & 0x0f;
                    boolean fin = (first & 0x80) != 0;
                    if (opcode == 0x9) {
                        write(Frame.control(0xA, payload));
                    } else if (opcode == 0xA) {
                        events.add(new Event(null, payload, 0, null));
                    } else if (opcode == 0x8) {
                        int code = payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
                        String reason = new String(
                                payload,
                                Math.min(2, payload.length),
                                Math.max(0, payload.length - 2),
                                StandardCharsets.UTF_8);
                        write(Frame.control(0x8, Arrays.copyOf(payload, Math.min(2, payload.length))));
                        closed = true;
                        events.add(new Event(null, null, code, reason));
                        socket.close();
                        return;
                    } else {
                        message.writeBytes(payload);
                        if (fin) {
                            events.add(new Event(message.toString(StandardCharsets.UTF_8), null, 0, null));
                            message.reset();
                        }
                    }
                }
            } catch (IOException e) {
                closed = true;
                events.add(new Event(null, null, 0, e.toString()));
            }
        }

        void close() throws IOException {
            closed = true;
            write(Frame.control(0x8, new byte[] {0x03, (byte) 0xe8}));
            socket.close();
        }
    }
}
