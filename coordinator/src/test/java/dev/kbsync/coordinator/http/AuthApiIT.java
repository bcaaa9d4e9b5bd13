package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.testing.LogCapture;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    @Test
    void shouldAnswer401WithWwwAuthenticateWithoutOrWithAWrongToken() {
        JsonObject note = new JsonObject().put("user", "u").put("text", "t");
        long calls = api.services.calls.get();
        HttpResponse<Buffer> none = api.call(POST, "/v1/kbs/demo/notes", null, note);
        assertError(none, 401, "UNAUTHENTICATED");
        assertThat(none.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
        assertError(api.call(POST, "/v1/kbs/demo/notes", "wrong-token-000000000", note), 401, "UNAUTHENTICATED");
        assertError(api.call(GET, "/v1/kbs", CLIENT.substring(1)), 401, "UNAUTHENTICATED");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldNeverEchoOrLogPresentedTokens() {
        try (LogCapture logs = new LogCapture()) {
            HttpResponse<Buffer> response = api.call(GET, "/v1/kbs", "canary-token-4242424242");
            assertThat(response.bodyAsString()).doesNotContain("canary");
            assertThat(api.call(GET, "/v1/events?access_token=canary-token-4343434343", null)
                            .statusCode())
                    .isEqualTo(401);
            api.request(POST, "/v1/kbs/boom/notes?access_token=" + CLIENT, CLIENT)
                    .sendJsonObject(new JsonObject().put("user", "u-canary").put("text", "t"))
                    .await();

            assertThat(logs.lines()).anyMatch(l -> l.startsWith("ERROR internal error"));
            assertThat(logs.lines())
                    .allSatisfy(
                            l -> assertThat(l).doesNotContain("canary-token").doesNotContain(CLIENT));
        }
    }

    @ParameterizedTest(name = "{0} {1} as {2} -> {3}")
    @CsvSource({
        "POST, /v1/kbs/demo/notes,                  worker, 403",
        "POST, /v1/kbs/demo/agent-tasks,            worker, 403",
        "POST, /v1/kbs/demo/leases,                 worker, 403",
        "POST, /v1/workers/w1/poll,                 client, 403",
        "POST, /v1/jobs/job-1/result,               client, 403",
        "PUT,  /v1/kbs/demo,                        client, 403",
        "PUT,  /v1/kbs/demo,                        worker, 403",
        "POST, /v1/admin/kbs/demo/force-release,    client, 403",
        "POST, /v1/admin/kbs/demo/force-release,    worker, 403",
        "DELETE, /v1/leases/raw-1,                  worker, 403",
        "GET,  /v1/kbs,                             worker, 200",
        "GET,  /v1/kbs,                             client, 200",
        "GET,  /v1/kbs/demo/queue,                  worker, 200",
        "POST, /v1/admin/kbs/demo/force-release,    admin,  200",
        "POST, /v1/workers/w1/poll,                 admin,  204",
        "POST, /v1/workers/w1/poll,                 worker, 204",
    })
    void shouldEnforceRolesPerEndpoint(String method, String path, String role, int status) {
        String token = switch (role) {
            case "admin" -> ADMIN;
            case "worker" -> WORKER;
            default -> CLIENT;
        };
        HttpResponse<Buffer> response =
                api.raw(HttpMethod.valueOf(method), path, token, "application/json", Buffer.buffer("{\"waitMs\":0}"));
        if (status == 403) {
            assertError(response, 403, "FORBIDDEN");
        } else {
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
        }
    }

    @Test
    void shouldServeHealthReadinessAndDashboardWithoutAToken() {
        assertThat(api.call(GET, "/healthz", null).statusCode()).isEqualTo(200);
        assertThat(api.call(GET, "/readyz", null).statusCode()).isEqualTo(200);
        HttpResponse<Buffer> page = api.call(GET, "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    }

    @Test
    void shouldRequireATokenForMetricsUnlessConfiguredPublic() {
        assertError(api.call(GET, "/metrics", null), 401, "UNAUTHENTICATED");
        assertThat(api.call(GET, "/metrics", WORKER).statusCode()).isEqualTo(200);
    }

    @Test
    void shouldAcceptTheAccessTokenQueryParameterOnlyOnEventStreams() throws Exception {
        try (RawStream events = api.rawStream("/v1/events?access_token=" + CLIENT, null)) {
            assertThat(events.status()).isEqualTo(200);
            assertThat(events.readUntil(text -> text.length() >= 10)).startsWith(": kbsync\n\n");
        }
        assertError(api.call(GET, "/v1/kbs?access_token=" + CLIENT, null), 401, "UNAUTHENTICATED");
        assertError(api.call(GET, "/v1/events?access_token=wrong-token-00000000", null), 401, "UNAUTHENTICATED");
    }

    /** A query the server cannot decode is the client's error, on the one route that reads a token from it too. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"/v1/events?access_token=%zz", "/v1/events?access_token=%", "/v1/events?x=1&access_token=a%2"})
    void shouldRefuseAnAccessTokenThatIsNotPercentEncodedWith400(String uri) {
        try (LogCapture logs = new LogCapture()) {
            assertError(api.call(GET, uri, null), 400, "BAD_REQUEST");
            assertThat(logs.lines()).noneMatch(l -> l.startsWith("ERROR"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "/v1/kbs/demo/files/events",
        "/v1/kbs/demo/files/d/events",
        "/v1/kbs/demo/files/v1/events",
    })
    void shouldRefuseTheAccessTokenQueryParameterOnAPathThatOnlyEndsInEvents(String path) {
        long calls = api.services.calls.get();
        assertError(api.call(GET, path + "?access_token=" + CLIENT, null), 401, "UNAUTHENTICATED");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/v1/kbs/demo/events", "/v1/jobs/job-unknown/events", "/v1/leases/lease-unknown/events"})
    void shouldAcceptTheAccessTokenQueryParameterOnEveryEventStream(String path) throws Exception {
        try (RawStream stream = api.rawStream(path + "?access_token=" + CLIENT, null)) {
            assertThat(stream.status()).isNotIn(401, 403);
        }
    }

    @Test
    void shouldNotCheckHostOrOriginWhenAuthIsOn() {
        HttpResponse<Buffer> response = api.request(GET, "/v1/kbs", CLIENT)
                .putHeader("Host", "kbsync.example.com")
                .putHeader("Origin", "https://ops.example.com")
                .send()
                .await();
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    }
}
