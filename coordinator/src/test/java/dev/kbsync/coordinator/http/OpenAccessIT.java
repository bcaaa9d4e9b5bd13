package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * auth.enabled=false on a loopback address: every endpoint answers without a token, metrics included, but only to a
 * request named to a loopback host (a web page that rebinds its own name to 127.0.0.1 gets nothing) and not sent by a
 * page of another origin (a browser's cross-site form or fetch cannot act).
 */
class OpenAccessIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_AUTH_ENABLED", "false", "KBSYNC_TOKENS", ""));

    @Test
    void shouldServeEveryRoleWithoutATokenWhenAuthIsOff() {
        assertThat(api.call(GET, "/metrics", null).statusCode()).isEqualTo(200);
        assertThat(api.call(GET, "/v1/kbs", null).statusCode()).isEqualTo(200);
        JsonObject kb = new JsonObject()
                .put("remote", "https://github.com/acme/notes.git")
                .put("branch", "main");
        assertThat(api.call(PUT, "/v1/kbs/notes", null, kb).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "Host: {0}")
    @ValueSource(strings = {"127.0.0.1:{port}", "localhost:{port}", "LocalHost", "[::1]:{port}", "127.1.2.3", "[::1]"})
    void shouldServeARequestNamedToALoopbackHost(String host) {
        assertThat(send(GET, "/v1/kbs", host, Map.of()).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} {1} with Host: {2}")
    @CsvSource({
        "GET,  /v1/kbs,                          attacker.example:{port}",
        "GET,  /,                                attacker.example",
        "POST, /v1/admin/kbs/demo/force-release, attacker.example:{port}",
        "GET,  /v1/kbs,                          localhost.attacker.example",
        "GET,  /v1/kbs,                          127.0.0.1.attacker.example:{port}",
        "GET,  /v1/kbs,                          10.0.0.7:{port}",
        "GET,  /healthz,                         0.0.0.0:{port}",
    })
    void shouldRefuseARequestNamedToAnotherHostWhenAuthIsOff(String method, String path, String host) {
        long calls = api.services.calls.get();
        assertError(send(HttpMethod.valueOf(method), path, host, Map.of()), 421, "HOST_NOT_ALLOWED");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldRefuseACrossSiteFormPostWhenAuthIsOff() {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> form = api.request(POST, "/v1/admin/kbs/demo/force-release", null)
                .putHeader("Origin", "https://attacker.example")
                .putHeader("Content-Type", "application/x-www-form-urlencoded")
                .sendBuffer(Buffer.buffer("a=b"))
                .await();
        assertError(form, 403, "CROSS_ORIGIN");
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @ParameterizedTest(name = "{0} {1} with {2}: {3}")
    @CsvSource({
        "POST, /v1/admin/kbs/demo/force-release, Origin,         http://localhost:1",
        "POST, /v1/admin/kbs/demo/force-release, Origin,         http://127.0.0.1",
        "POST, /v1/admin/kbs/demo/force-release, Origin,         null",
        "GET,  /v1/kbs,                          Origin,         http://attacker.example:{port}",
        "HEAD, /v1/events,                       Origin,         https://attacker.example",
        "GET,  /v1/leases/channel,               Origin,         https://attacker.example",
        "GET,  /v1/kbs,                          Sec-Fetch-Site, cross-site",
        "GET,  /v1/kbs,                          Sec-Fetch-Site, same-site",
    })
    void shouldRefuseARequestFromAnotherOriginWhenAuthIsOff(String method, String path, String header, String value) {
        long calls = api.services.calls.get();
        HttpResponse<Buffer> response = send(
                HttpMethod.valueOf(method),
                path,
                "127.0.0.1:{port}",
                Map.of(header, value.replace("{port}", "" + api.port())));
        if (method.equals("HEAD")) { // an event stream's GET stayed open before the fix; its HEAD answers at once
            assertThat(response.statusCode()).isEqualTo(403);
        } else {
            assertError(response, 403, "CROSS_ORIGIN");
        }
        assertThat(api.services.calls.get()).isEqualTo(calls);
    }

    @Test
    void shouldServeThePagesOwnOriginAndATopLevelNavigationWhenAuthIsOff() {
        String own = "127.0.0.1:" + api.port();
        assertThat(send(POST, "/v1/admin/kbs/demo/force-release", own, Map.of("Origin", "http://" + own))
                        .statusCode())
                .isEqualTo(200);
        assertThat(send(
                                POST,
                                "/v1/admin/kbs/demo/force-release",
                                "localhost:{port}",
                                Map.of("Origin", "http://localhost:" + api.port(), "Sec-Fetch-Site", "same-origin"))
                        .statusCode())
                .isEqualTo(200);
        // a link to the dashboard followed from another site, or its URL typed in
        assertThat(send(GET, "/", own, Map.of("Sec-Fetch-Site", "cross-site", "Sec-Fetch-Mode", "navigate"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(send(GET, "/", own, Map.of("Sec-Fetch-Site", "none", "Sec-Fetch-Mode", "navigate"))
                        .statusCode())
                .isEqualTo(200);
    }

    /** {@code host} ({port}: the coordinator's) as the request's Host header, and {@code headers}. */
    private static HttpResponse<Buffer> send(HttpMethod method, String path, String host, Map<String, String> headers) {
        HttpRequest<Buffer> request =
                api.request(method, path, null).putHeader("Host", host.replace("{port}", "" + api.port()));
        headers.forEach(request::putHeader);
        return request.timeout(10_000).send().await();
    }
}
