package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.H2cRequests;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OpsApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    /**
     * The JDK's HttpClient asks a plain-HTTP server to upgrade to HTTP/2 (h2c) on a connection's first request. The
     * coordinator answers in HTTP/1.1 instead: when it upgraded, about one large answer in seven reached the client
     * garbled ({@code protocol error: Frame type(116) ... exceeds MAX_FRAME_SIZE}).
     */
    @Test
    void shouldAnswerAClientAskingForAnH2cUpgradeInHttp11() throws Exception {
        assertThat(H2cRequests.problems(
                        URI.create("http://127.0.0.1:" + api.port() + "/metrics"),
                        Map.of("Authorization", "Bearer " + ADMIN),
                        100,
                        body -> body.contains("kbsync_http_requests_total")))
                .as("answers that were wrong, of 100")
                .isEmpty();
    }

    @Test
    void shouldReportLiveAndReady() {
        assertThat(api.call(GET, "/healthz", null).bodyAsJsonObject().getString("status"))
                .isEqualTo("up");
        HttpResponse<Buffer> ready = api.call(GET, "/readyz", null);
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.bodyAsJsonObject().getString("redis")).isEqualTo("up");
    }

    @Test
    void shouldReport503WhileRedisDoesNotAnswer() {
        api.redis.process().pause();
        try {
            assertError(api.call(GET, "/readyz", null), 503, "NOT_READY");
            assertThat(api.call(GET, "/healthz", null).statusCode()).isEqualTo(200);
        } finally {
            api.redis.process().resume();
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> api.call(GET, "/readyz", null).statusCode() == 200);
    }

    /**
     * A Redis that answers reads but refuses every write cannot serve: here NOREPLICAS (min-replicas-to-write with no
     * replica), as MISCONF when it cannot persist. The probe writes, so the coordinator is not ready then.
     */
    @Test
    void shouldReport503WhileRedisRefusesWrites() {
        java.time.Duration call = java.time.Duration.ofSeconds(2);
        RespClient.once(api.redis.port(), call, "CONFIG", "SET", "min-replicas-to-write", "1");
        try {
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(20))
                    .until(() -> api.call(GET, "/readyz", null).statusCode() == 503);
        } finally {
            RespClient.once(api.redis.port(), call, "CONFIG", "SET", "min-replicas-to-write", "0");
        }
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> api.call(GET, "/readyz", null).statusCode() == 200);
    }

    @Test
    void shouldExposeSubmissionsAndRequestsInPrometheusFormat() {
        api.call(
                POST,
                "/v1/kbs/demo/notes",
                CLIENT,
                new JsonObject().put("user", "metrics-user").put("text", "t"));

        HttpResponse<Buffer> response = api.call(GET, "/metrics", ADMIN);

        assertThat(response.getHeader("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        // Micrometer writes sample values as floating-point numbers and a labelled family from its first sample on.
        assertThat(response.bodyAsString())
                .contains("# TYPE kbsync_jobs_submitted_total counter\n")
                .contains("kbsync_jobs_submitted_total{kb=\"demo\",kind=\"note\"} 1.0\n")
                .contains("kbsync_http_requests_total{route=\"/v1/kbs/:kb/notes\",status=\"202\"} 1.0\n")
                .contains(
                        "kbsync_http_request_duration_seconds_count{method=\"POST\",route=\"/v1/kbs/:kb/notes\"} 1\n");
    }

    @Test
    void shouldAnswerUnknownRoutesWith404AndWrongMethodsWith405AsJson() {
        assertError(api.call(GET, "/v1/nothing-here", CLIENT), 404, "NOT_FOUND");
        HttpResponse<Buffer> delete = api.call(DELETE, "/v1/kbs/demo/notes", CLIENT);
        assertError(delete, 405, "METHOD_NOT_ALLOWED");
        assertThat(delete.getHeader("Allow"))
                .as("what the route takes (RFC 9110)")
                .isEqualTo("POST");
        HttpResponse<Buffer> get = api.call(GET, "/v1/kbs/demo/notes", CLIENT);
        assertError(get, 405, "METHOD_NOT_ALLOWED");
        assertThat(get.getHeader("Allow")).isEqualTo("POST");
        assertThat(api.call(POST, "/v1/jobs/demo~x", CLIENT).getHeader("Allow")).isEqualTo("GET, HEAD, DELETE");
    }

    /** The router resolves dot segments and doubled slashes before it routes: so does a 405's Allow. */
    @Test
    void shouldNameTheAllowedMethodsOfAPathWithDotSegmentsOrDoubledSlashes() {
        Map<String, String> allowed = Map.of(
                "/v1/kbs/demo/./queue", "GET, HEAD",
                "/v1//kbs/demo/queue", "GET, HEAD",
                "/v1/./jobs", "GET, HEAD",
                "//healthz", "GET, HEAD",
                "/v1/kbs/demo/x/../notes", "POST");
        allowed.forEach((path, methods) -> {
            HttpResponse<Buffer> wrong = api.call(path.endsWith("notes") ? DELETE : POST, path, CLIENT);
            assertError(wrong, 405, "METHOD_NOT_ALLOWED");
            assertThat(wrong.getHeader("Allow")).as(path).isEqualTo(methods);
        });
    }
}
