package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.HEAD;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every GET route answers HEAD (RFC 9110: a general-purpose server supports HEAD wherever it supports GET; load
 * balancers probe with it): the status and headers a GET would get, no body. An event stream's HEAD answers the
 * stream's headers and ends instead of holding the connection.
 */
class HeadRequestsApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldAnswerHeadAsGetWithoutABody() {
        String[][] routes = {
            {"/healthz", null},
            {"/readyz", null},
            {"/v1/openapi.json", null},
            {"/", null},
            {"/metrics", ADMIN},
            {"/v1/kbs", CLIENT},
            {"/v1/kbs/demo/queue", CLIENT},
            {"/v1/jobs/demo~unknown", CLIENT},
            {"/v1/kbs/demo/files/none.md", CLIENT},
            {"/v1/leases/channel", CLIENT}, // a WebSocket's route, asked without an upgrade
        };
        for (String[] route : routes) {
            HttpResponse<Buffer> get = api.call(GET, route[0], route[1]);
            HttpResponse<Buffer> head = api.call(HEAD, route[0], route[1]);

            assertThat(head.statusCode()).as("HEAD " + route[0]).isEqualTo(get.statusCode());
            assertThat(head.getHeader("Content-Type")).as("HEAD " + route[0]).isEqualTo(get.getHeader("Content-Type"));
            assertThat(head.body()).as("HEAD " + route[0]).isNull();
        }
    }

    @Test
    void shouldSendTheHeadersAGetWouldGetIncludingItsContentLength() {
        String[][] routes = {
            {"/healthz", null},
            {"/readyz", null},
            {"/v1/openapi.json", null},
            {"/", null},
            {"/v1/kbs", CLIENT},
            {"/v1/kbs", null}, // 401
            {"/v1/kbs/demo/queue", CLIENT},
            {"/v1/jobs/demo~unknown", CLIENT}, // 404
            {"/v1/no-such-route", CLIENT}, // 404 without a route
        };
        for (String[] route : routes) {
            assertThat(headers(api.call(HEAD, route[0], route[1])))
                    .as("HEAD " + route[0])
                    .isEqualTo(headers(api.call(GET, route[0], route[1])))
                    .containsKey("content-length");
        }
        assertThat(api.call(HEAD, "/metrics", ADMIN).getHeader("Content-Length"))
                .as("the scrape's length (it changes between two scrapes)")
                .matches("[1-9][0-9]*");
    }

    /** An answer's headers, names in lower case, without those that differ between two answers (Date). */
    private static Map<String, List<String>> headers(HttpResponse<Buffer> response) {
        Map<String, List<String>> headers = new TreeMap<>();
        response.headers().names().stream()
                .map(name -> name.toLowerCase(Locale.ROOT))
                .filter(name -> !name.equals("date"))
                .forEach(name -> headers.put(name, response.headers().getAll(name)));
        return headers;
    }

    @Test
    void shouldSendNoBodyBytesSoTheNextRequestOnTheConnectionIsRead() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                                    + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answers = readAll(socket.getInputStream());

            String[] parts = answers.split("\r\n\r\n", 2);
            assertThat(parts[0]).startsWith("HTTP/1.1 200");
            assertThat(parts[1]).as("right after HEAD's headers, GET's answer").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void shouldNotUpgradeAHeadOfTheLeaseChannelButAnswerAsToARequestWithoutTheUpgrade() throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("HEAD /v1/leases/channel HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + CLIENT
                                    + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13"
                                    + "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
                                    + "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            String answers = readAll(socket.getInputStream());

            String[] parts = answers.split("\r\n\r\n", 2);
            assertThat(parts[0])
                    .as("what a GET without the upgrade gets")
                    .startsWith("HTTP/1.1 426")
                    .containsIgnoringCase("content-type: application/json")
                    .containsIgnoringCase("upgrade: websocket");
            assertThat(parts[1]).as("no body, and the connection still HTTP").startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void shouldCheckTheCallerOnHeadAsOnGet() {
        HttpResponse<Buffer> head = api.call(HEAD, "/v1/kbs", null);

        assertThat(head.statusCode()).isEqualTo(401);
        assertThat(head.body()).isNull();
    }

    @Test
    void shouldAnswerHeadOnAnEventStreamWithItsHeadersAndEnd() {
        long start = System.nanoTime();
        HttpResponse<Buffer> head = api.call(HEAD, "/v1/kbs/demo/events", CLIENT);

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.getHeader("Content-Type")).startsWith("text/event-stream");
        assertThat((System.nanoTime() - start) / 1_000_000)
                .as("answered, not held open")
                .isLessThan(5_000);
        assertThat(api.call(HEAD, "/v1/jobs/demo~unknown/events", CLIENT).statusCode())
                .as("what a GET of an unknown job's stream answers")
                .isEqualTo(api.call(GET, "/v1/jobs/demo~unknown", CLIENT).statusCode());
    }

    @Test
    void shouldNotKeepALeaseAliveForAHeadOfItsEvents() {
        String lease = api.call(POST, "/v1/kbs/demo/leases", CLIENT, new JsonObject().put("holder", "head-probe"))
                .bodyAsJsonObject()
                .getString("id");
        int before = api.services.keepAlivesBegun.get();

        HttpResponse<Buffer> head = api.call(HEAD, "/v1/leases/" + lease + "/events", CLIENT);

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(api.services.keepAlivesBegun.get())
                .as("a HEAD changes nothing: the stream's GET keeps its lease alive, its HEAD does not")
                .isEqualTo(before);
        assertThat(api.call(DELETE, "/v1/leases/" + lease, CLIENT).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldTakeAnEventStreamsAccessTokenParameterOnHeadAsOnGet() {
        HttpResponse<Buffer> head = api.call(HEAD, "/v1/kbs/demo/events?access_token=" + CLIENT, null);

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.getHeader("Content-Type")).startsWith("text/event-stream");
    }

    @Test
    void shouldNameHeadInAnAllowHeaderWhereGetIsAllowed() {
        assertThat(api.call(POST, "/v1/jobs/demo~x", CLIENT).getHeader("Allow")).isEqualTo("GET, HEAD, DELETE");
        assertThat(api.call(POST, "/healthz", null).getHeader("Allow")).isEqualTo("GET, HEAD");
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        in.transferTo(bytes);
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
