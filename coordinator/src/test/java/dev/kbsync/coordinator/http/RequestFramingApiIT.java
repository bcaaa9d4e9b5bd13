package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Requests broken in their HTTP framing rather than in their JSON (a form or multipart body, an unknown Expect, no
 * Host, a bad percent-escape in the path) are refused with a 4xx in the API's error shape, and reach no service: never
 * a 500, never a bare text answer. Sent as raw bytes, since a well-behaved client would not send them.
 */
class RequestFramingApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    record Answer(int status, String headers, String body) {
        JsonObject error() {
            return new JsonObject(body).getJsonObject("error");
        }
    }

    @Test
    void shouldRefuseAFormOrMultipartBodyWith415() throws IOException {
        long calls = api.services.calls.get();
        Answer multipart = send(post(
                "/v1/kbs/demo/notes",
                "multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n"));
        Answer form = send(post("/v1/kbs/demo/leases", "application/x-www-form-urlencoded", "%zz"));

        assertError(multipart, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(form, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRefuseACompressedBodyWith415() throws IOException {
        long calls = api.services.calls.get();
        String body = "{\"user\":\"e1\",\"text\":\"read as if not compressed\"}";
        Answer answer = send("POST /v1/kbs/demo/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                + "\r\nContent-Encoding: gzip\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);

        assertError(answer, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRefuseAnExpectationItCannotMeetWith417() throws IOException {
        String body = "{\"user\":\"e1\",\"text\":\"x\"}";
        Answer answer = send("POST /v1/kbs/demo/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                + "\r\nExpect: foo\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body);

        assertError(answer, 417, "EXPECTATION_FAILED");
    }

    @Test
    void shouldRefuseARequestWithoutAHostWith400() throws IOException {
        assertError(send("GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"), 400, "BAD_REQUEST");
    }

    /**
     * A Host header that is not a host and port (a port out of range or not a number, user info, a space, an open
     * bracket, a percent-escape) is refused 400, in the error shape and at once, and logged as no error: Vert.x cannot
     * route it (it failed such a request with a 500, or threw out of the router and never answered).
     */
    @Test
    void shouldRefuseAMalformedHostWith400AndLogNoError() throws Exception {
        ListAppender<ILoggingEvent> logged = errors();
        try {
            long calls = api.services.calls.get();
            for (String host : List.of(
                    "127.0.0.1:abc",
                    "127.0.0.1:99999",
                    "127.0.0.1:-1",
                    "evil@127.0.0.1",
                    "[::1",
                    "a b",
                    "localhost%",
                    "%41",
                    "x%zz",
                    "127.0.0.1:8080,evil")) {
                Answer answer = send("GET /v1/jobs HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + CLIENT
                        + "\r\nConnection: close\r\n\r\n");
                assertThat(answer.status()).as(host + ": " + answer.body()).isEqualTo(400);
                assertError(answer, 400, "BAD_REQUEST");
                answer = send("GET /healthz HTTP/1.0\r\nHost: " + host + "\r\n\r\n");
                assertThat(answer.status())
                        .as("HTTP/1.0 " + host + ": " + answer.body())
                        .isEqualTo(400);
            }
            assertThat(api.services.calls.get()).isEqualTo(calls);
            Thread.sleep(500);
            assertThat(logged.list).as("errors logged").isEmpty();
        } finally {
            detach(logged);
        }
    }

    /** Two Host headers are refused 400 (RFC 9112, 3.2), whichever comes first. */
    @Test
    void shouldRefuseTwoHostHeadersWith400() throws IOException {
        assertError(
                send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n"),
                400,
                "BAD_REQUEST");
    }

    @Test
    void shouldRefuseABadPercentEscapeInThePathWith400() throws IOException {
        assertError(
                send("GET /v1/jobs/%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                        + "\r\nConnection: close\r\n\r\n"),
                400,
                "BAD_REQUEST");
    }

    @Test
    void shouldRefuseAnOverlongRequestLineWith414InTheErrorShape() throws IOException {
        long calls = api.services.calls.get();
        Answer answer = send("GET /v1/jobs/" + "a".repeat(10_000)
                + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT + "\r\nConnection: close\r\n\r\n");

        assertError(answer, 414, "URI_TOO_LONG");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRefuseOverlongHeadersWith431InTheErrorShape() throws IOException {
        Answer answer = send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: " + "b".repeat(10_000)
                + "\r\nConnection: close\r\n\r\n");

        assertError(answer, 431, "HEADERS_TOO_LARGE");
    }

    @Test
    void shouldRefuseAGarbledRequestLineWith400InTheErrorShape() throws IOException {
        assertError(send("GET /healthz HTTP/x.y\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"), 400, "BAD_REQUEST");
    }

    @Test
    void shouldRefuseAnHttpVersionItDoesNotSpeakWith505InTheErrorShapeAndClose() throws IOException {
        for (String version : List.of("HTTP/2.0", "HTTP/3.0", "HTTP/1.2")) {
            Answer answer = send("GET /healthz " + version + "\r\nHost: 127.0.0.1\r\n\r\n");

            assertError(answer, 505, "HTTP_VERSION_NOT_SUPPORTED");
            assertThat(answer.headers()).as(version).startsWith("http/1.1 505").contains("connection: close");
        }
    }

    @Test
    void shouldRefuseABrokenWebSocketHandshakeInTheErrorShape() throws IOException {
        String start = "GET /v1/leases/channel HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                + "\r\nUpgrade: websocket\r\n";
        String key = "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

        assertError(
                send(start + "Connection: Upgrade\r\nSec-WebSocket-Version: 99\r\n" + key + "\r\n"),
                426,
                "UPGRADE_REQUIRED");
        assertError(send(start + "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"), 400, "BAD_REQUEST");
        assertError(
                send(start + "Connection: close\r\nSec-WebSocket-Version: 13\r\n" + key + "\r\n"), 400, "BAD_REQUEST");
    }

    /**
     * A body whose chunked framing is broken is the client's error: refused with 400 in the error shape (or, when the
     * connection can no longer carry an answer, closed), and never logged as an internal error.
     */
    @Test
    void shouldRefuseABrokenChunkedBodyWith400AndLogNoError() throws Exception {
        ListAppender<ILoggingEvent> logged = errors();
        try {
            String start = "POST /v1/kbs/demo/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            long calls = api.services.calls.get();
            for (String chunks :
                    List.of("zz\r\n{}\r\n0\r\n\r\n", "FFFFFFFFFFFFFFFFFFFF\r\n{}\r\n0\r\n\r\n", "2\r\n{}XX0\r\n\r\n")) {
                Answer answer = sendOrClosed(start + chunks);
                if (answer != null) {
                    assertError(answer, 400, "BAD_REQUEST");
                }
            }
            assertThat(api.services.calls.get()).isEqualTo(calls);
            Thread.sleep(500); // what the coordinator logs after the connection closed
            assertThat(logged.list).as("errors logged").isEmpty();
        } finally {
            detach(logged);
        }
    }

    /**
     * An answer given before the body arrives (too large, or to a request that fails at once) with {@code Connection:
     * close} closes the connection once written: the client is not left waiting for the read deadline.
     */
    @Test
    void shouldCloseTheConnectionOnceAnAnswerBeforeTheBodyIsWritten() throws IOException {
        String head = "HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                + "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nConnection: close\r\n";
        assertAnsweredAndClosed("POST /v1/kbs/demo/notes " + head + "Content-Length: 999999\r\n\r\n", 413);
        assertAnsweredAndClosed("POST /v1/jobs/demo~abc/retry " + head + "Content-Length: 10\r\n\r\n", 404);
    }

    /**
     * A client that sends its body without waiting for an answer (no {@code Expect: 100-continue}: urllib, HTTP/1.0
     * clients, most proxies) gets the early answer, not a connection reset in the middle of its body: only a client
     * that asked whether to send it is cut off once answered (RFC 9112, 9.6).
     */
    @Test
    void shouldLetAClientThatDidNotAskFirstSendItsWholeBodyAndReadTheEarlyAnswer() throws IOException {
        byte[] body = new byte[32 * 1024 * 1024];
        java.util.Arrays.fill(body, (byte) 'a');
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/kbs/demo/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                            + "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: "
                            + body.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(body); // a reset connection fails this write (Broken pipe)
            out.flush();
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 413");
        }
    }

    private static void assertAnsweredAndClosed(String request, int status) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                assertThat(b).as("answer so far: " + head).isNotNegative();
                head.append((char) b);
            }
            String headers = head.toString().toLowerCase(java.util.Locale.ROOT);
            assertThat(headers).startsWith("http/1.1 " + status).contains("connection: close");
            java.util.regex.Matcher length =
                    java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(headers);
            assertThat(length.find()).as(headers).isTrue();
            in.readNBytes(Integer.parseInt(length.group(1)));
            socket.setSoTimeout(2_000);
            long start = System.nanoTime();
            try {
                assertThat(in.read()).as("after the answer").isEqualTo(-1);
            } catch (java.net.SocketTimeoutException open) {
                throw new AssertionError("the connection was still open " + (System.nanoTime() - start) / 1_000_000
                        + " ms after the answer " + head.substring(0, 12));
            }
        }
    }

    /** A client that leaves in the middle of its body is no internal error either. */
    @Test
    void shouldLogNoErrorWhenAClientLeavesInTheMiddleOfItsBody() throws Exception {
        ListAppender<ILoggingEvent> logged = errors();
        try {
            try (Socket socket = new Socket("127.0.0.1", api.port())) {
                socket.getOutputStream()
                        .write(("POST /v1/kbs/demo/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{}")
                                .getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
                Thread.sleep(300);
            }
            Thread.sleep(500);
            assertThat(logged.list).as("errors logged").isEmpty();
        } finally {
            detach(logged);
        }
    }

    /** What is logged at ERROR from now on. */
    private static ListAppender<ILoggingEvent> errors() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.addFilter(new ch.qos.logback.core.filter.Filter<ILoggingEvent>() {
            @Override
            public ch.qos.logback.core.spi.FilterReply decide(ILoggingEvent event) {
                return event.getLevel().isGreaterOrEqual(Level.ERROR)
                        ? ch.qos.logback.core.spi.FilterReply.NEUTRAL
                        : ch.qos.logback.core.spi.FilterReply.DENY;
            }
        });
        appender.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(appender);
        return appender;
    }

    private static void detach(ListAppender<ILoggingEvent> appender) {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(appender);
    }

    /** {@link #send}, or null when the coordinator closed the connection without an answer. */
    private static Answer sendOrClosed(String request) throws IOException {
        try {
            return send(request);
        } catch (StringIndexOutOfBoundsException | java.net.SocketException closed) {
            return null;
        }
    }

    private static String post(String path, String contentType, String body) {
        return "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT + "\r\nContent-Type: "
                + contentType + "\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                + "\r\nConnection: close\r\n\r\n" + body;
    }

    private static void assertError(Answer answer, int status, String code) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.error().getString("code")).as(answer.body()).isEqualTo(code);
        assertThat(answer.error().getString("message")).isNotBlank();
    }

    /** Sends {@code request} as it is and reads one whole answer (by its length, its chunks, or to the end). */
    private static Answer send(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (head.indexOf("\r\n\r\n") < 0) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.append((char) b);
            }
            String headers = head.toString().toLowerCase(java.util.Locale.ROOT);
            int status = Integer.parseInt(head.substring(9, 12));
            java.util.regex.Matcher length =
                    java.util.regex.Pattern.compile("content-length: *(\\d+)").matcher(headers);
            String body;
            if (length.find()) {
                body = new String(in.readNBytes(Integer.parseInt(length.group(1))), StandardCharsets.UTF_8);
            } else if (headers.contains("transfer-encoding: chunked")) {
                StringBuilder chunks = new StringBuilder();
                while (!chunks.toString().endsWith("0\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        break;
                    }
                    chunks.append((char) b);
                }
                body = unchunk(chunks.toString());
            } else {
                body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            return new Answer(status, headers, body);
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (at < chunked.length()) {
            int eol = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, eol).trim(), 16);
            if (size == 0) {
                break;
            }
            body.append(chunked, eol + 2, eol + 2 + size);
            at = eol + 2 + size + 2;
        }
        return body.toString();
    }
}
