package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.client.BlockingLeaseChannel;
import dev.kbsync.coordinator.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A connection must deliver each whole request (line, headers, body) within {@code http.requestReadSeconds} of
 * opening or of its previous answer, else it is closed: a request cut short, a trickle of header bytes, an idle
 * keep-alive connection. Answers that are slow on purpose (a long poll, an event stream, the lease channel) are not cut.
 * The limit is 1 s here; event-stream keep-alives come every 2 s.
 */
class RequestDeadlineApiIT {
    private static final long LIMIT_MS = 1000;
    /** How long past the limit a connection may stay open (timers, a loaded machine). */
    private static final long SLACK_MS = 1500;

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_HTTP_REQUEST_READ_SECONDS", "1",
            "KBSYNC_HTTP_SSE_KEEP_ALIVE_SECONDS", "2"));

    @Test
    void shouldCloseAConnectionThatStopsInItsHeaders() throws IOException {
        try (Socket socket = connect()) {
            long sent = write(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");

            assertClosedOnTime(socket, sent);
        }
    }

    @Test
    void shouldCloseAConnectionThatTricklesItsHeaders() throws Exception {
        try (Socket socket = connect()) {
            long opened = write(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
            boolean closed = false;
            for (int i = 0; i < 6 && !closed; i++) {
                Thread.sleep(200);
                try {
                    write(socket, "a");
                } catch (SocketException e) {
                    closed = true;
                }
            }

            assertClosedOnTime(socket, opened);
        }
    }

    @Test
    void shouldAnswer408AndCloseAConnectionWhoseBodyIsShorterThanItsContentLength() throws IOException {
        double before = timeouts("body");
        try (LogCapture logs = new LogCapture();
                Socket socket = connect()) {
            long sent = write(
                    socket,
                    "POST /v1/kbs/demo/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                            + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"user\":");

            String head = readUntil(socket, "\r\n\r\n", (int) (LIMIT_MS + SLACK_MS + 3000));
            assertThat(head).as("a request begun is told why it ends").startsWith("HTTP/1.1 408");
            assertThat(head.toLowerCase(Locale.ROOT)).contains("connection: close");
            assertThat(millisSince(sent)).isBetween(LIMIT_MS - 200, LIMIT_MS + SLACK_MS);
            String body = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(new JsonObject(body).getJsonObject("error").getString("code"))
                    .isEqualTo("REQUEST_TIMEOUT");
            assertThat(logs.lines()).as("logged").noneMatch(line -> line.startsWith("ERROR"));
        }
        assertThat(timeouts("body")).as("counted").isEqualTo(before + 1);
    }

    @Test
    void shouldCountTheConnectionsItClosesBeforeAWholeHeader() throws IOException {
        double before = timeouts("headers");
        try (Socket socket = connect()) {
            assertClosedOnTime(socket, write(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        }
        assertThat(timeouts("headers"))
                .as("this one, and maybe idle connections of the fixture's own client")
                .isGreaterThanOrEqualTo(before + 1);
    }

    /** {@code kbsync_http_request_read_timeouts_total} of {@code stage}, 0 before its first. */
    private static double timeouts(String stage) {
        String line = "kbsync_http_request_read_timeouts_total{stage=\"" + stage + "\"} ";
        return metrics()
                .bodyAsString()
                .lines()
                .filter(l -> l.startsWith(line))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length())))
                .findFirst()
                .orElse(0);
    }

    /**
     * {@code GET /metrics} through the fixture's client, again on a new connection if the one it took from its pool
     * was closed meanwhile: the server closes idle keep-alive connections after this class's short limit, and one
     * may close as the client reuses it.
     */
    private static HttpResponse<Buffer> metrics() {
        try {
            return api.call(HttpMethod.GET, "/metrics", ApiFixture.ADMIN);
        } catch (HttpClosedException closedWhileTaken) {
            return api.call(HttpMethod.GET, "/metrics", ApiFixture.ADMIN);
        }
    }

    @Test
    void shouldCloseAnIdleKeepAliveConnectionAfterItsAnswer() throws IOException {
        try (Socket socket = connect()) {
            write(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readAnswer(socket).status()).isEqualTo(200);
            long answered = System.nanoTime();

            assertClosedOnTime(socket, answered);
        }
    }

    @Test
    void shouldServeSeveralQuickRequestsOnOneConnectionPastTheLimit() throws Exception {
        try (Socket socket = connect()) {
            long opened = System.nanoTime();
            while (millisSince(opened) < LIMIT_MS * 3 / 2) {
                write(socket, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertThat(readAnswer(socket).status()).isEqualTo(200);
                Thread.sleep(LIMIT_MS * 2 / 5);
            }
        }
    }

    @Test
    void shouldKeepSlowAnswersOpenPastTheLimit() throws Exception {
        api.kb("deadline-channel");
        String body = new JsonObject().put("waitMs", 2500).encode();
        try (Socket stream = connect();
                Socket poll = connect();
                BlockingLeaseChannel channel = api.client(CLIENT).openLeaseChannel()) {
            long opened = write(
                    stream,
                    "GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                            + "\r\nAccept: text/event-stream\r\n\r\n");
            long sent = write( // a quick request, and a long poll pipelined behind it
                    poll,
                    "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                            + "POST /v1/workers/w-deadline/poll HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                            + WORKER + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
                            + "\r\n\r\n" + body);

            assertThat(readAnswer(poll).status())
                    .as("the quick request's answer")
                    .isEqualTo(200);
            assertThat(readAnswer(poll).status()).as("the long poll's answer").isEqualTo(204);
            assertThat(millisSince(sent)).isGreaterThanOrEqualTo(2400);
            write(poll, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readAnswer(poll).status())
                    .as("the next request on its connection")
                    .isEqualTo(200);
            Lease lease = channel.request(KbId.of("deadline-channel"), LeaseRequest.of("after-silence"));
            assertThat(lease.state()).as("a call on the channel").isEqualTo(LeaseState.GRANTED);
            String events = readUntil(stream, ": keep-alive\n\n", 8000);
            while (millisSince(opened) <= LIMIT_MS + SLACK_MS) {
                events = readUntil(stream, ": keep-alive\n\n", 8000);
            }
            assertThat(events).as("the event stream, still open").endsWith(": keep-alive\n\n");
        }
    }

    record Answer(int status, String body) {}

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", api.port());
        socket.setSoTimeout((int) (LIMIT_MS + SLACK_MS + 5000));
        return socket;
    }

    /** Writes {@code text}; the time it was sent. */
    private static long write(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return System.nanoTime();
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    /** The coordinator closed the connection, without an answer, within the limit (and slack) of {@code since}. */
    private static void assertClosedOnTime(Socket socket, long since) throws IOException {
        socket.setSoTimeout((int) (LIMIT_MS + SLACK_MS + 3000));
        int first;
        try {
            first = socket.getInputStream().read();
        } catch (SocketTimeoutException stillOpen) {
            throw new AssertionError("the connection was still open " + millisSince(since) + " ms later", stillOpen);
        } catch (SocketException reset) {
            first = -1;
        }
        long after = millisSince(since);
        assertThat(first).as("bytes before the close").isEqualTo(-1);
        assertThat(after).as("ms until closed").isBetween(LIMIT_MS - 200, LIMIT_MS + SLACK_MS);
    }

    /** Reads one answer with a Content-Length (or none: no body), leaving the connection open. */
    private static Answer readAnswer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        String head = readUntil(socket, "\r\n\r\n", 10_000);
        Matcher length = Pattern.compile("content-length: *(\\d+)").matcher(head.toLowerCase(Locale.ROOT));
        int size = length.find() ? Integer.parseInt(length.group(1)) : 0;
        String body = new String(in.readNBytes(size), StandardCharsets.UTF_8);
        return new Answer(Integer.parseInt(head.substring(9, 12)), body);
    }

    /** What arrives until {@code end} has arrived (the connection may not close before). */
    private static String readUntil(Socket socket, String end, int timeoutMs) throws IOException {
        socket.setSoTimeout(timeoutMs);
        InputStream in = socket.getInputStream();
        StringBuilder read = new StringBuilder();
        while (read.indexOf(end) < 0) {
            int b = in.read();
            if (b < 0) {
                throw new AssertionError("closed after " + read);
            }
            read.append((char) b);
        }
        return read.toString();
    }
}
