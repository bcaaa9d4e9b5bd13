package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Error answers that are not kbsync's {@code {"error":{"code","message"}}} (real HTTP servers that are not kbsync): a
 * 3xx/4xx/5xx page of another server is {@link KbsyncException.NotKbsync}; a proxy's 502, 503 or 504 in front of a
 * coordinator is the coordinator's unavailability, retried and failed over as kbsync's own 503.
 */
class ForeignAnswerTest {
    private static final String NGINX_404 =
            "<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center>"
                    + "<hr><center>nginx</center></body></html>";

    private final FakeCoordinator server;
    private final FakeCoordinator second;

    ForeignAnswerTest() throws Exception {
        server = new FakeCoordinator();
        second = new FakeCoordinator();
    }

    @AfterEach
    void stop() throws Exception {
        second.close();
        server.close();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "404 | text/html  | " + NGINX_404,
                "401 | text/plain | Unauthorized",
                "403 | application/json | {\"message\":\"Forbidden\"}",
                "405 | text/plain | ''",
                "500 | text/html  | <html><body>Internal Server Error</body></html>",
                "301 | text/html  | <html><body>Moved Permanently</body></html>",
            })
    void shouldSayAnErrorPageOfAnotherServerIsNotKbsync(int status, String contentType, String body) {
        serve(server, "/v1/jobs/j1", status, contentType, body);

        try (KbsyncClient client = server.client()) {
            KbsyncException e = catchThrowableOfType(KbsyncException.class, () -> client.job("j1"));

            assertThat(e).isInstanceOf(KbsyncException.NotKbsync.class);
            assertThat(e.code()).isEqualTo("NOT_KBSYNC");
            assertThat(e.getMessage())
                    .contains("the server at " + server.url() + " did not answer as a kbsync coordinator")
                    .contains("GET /v1/jobs/j1")
                    .contains("HTTP " + status)
                    .contains("wrong URL or path prefix");
        }
    }

    @Test
    void shouldNameWhereARedirectPoints() {
        server.on(
                "/v1/jobs/j1",
                r -> r.response()
                        .setStatusCode(301)
                        .putHeader("Location", "https://kbsync.example.com/v1/jobs/j1")
                        .end("<html>Moved</html>"));

        try (KbsyncClient client = server.client()) {
            assertThat(catchThrowableOfType(KbsyncException.NotKbsync.class, () -> client.job("j1")))
                    .hasMessageContaining("https://kbsync.example.com/v1/jobs/j1");
        }
    }

    /** A proxy that limits its clients' rate says to come back later, as kbsync's own 429 does. */
    @Test
    void shouldTakeAProxysTooManyRequestsForARateLimit() {
        server.on(
                "/v1/jobs/j1",
                r -> r.response()
                        .setStatusCode(429)
                        .putHeader("Content-Type", "text/html")
                        .putHeader("Retry-After", "3")
                        .end("<html><body>429 Too Many Requests</body></html>"));

        try (KbsyncClient client = server.client()) {
            KbsyncException.RateLimited e =
                    catchThrowableOfType(KbsyncException.RateLimited.class, () -> client.job("j1"));

            assertThat(e.code()).isEqualTo("HTTP_429");
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(3));
            assertThat(e.getMessage()).contains("HTTP 429").contains("not kbsync's");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {502, 503, 504})
    void shouldTakeAProxysGatewayErrorForTheCoordinatorsUnavailability(int status) {
        server.on(
                "/v1/jobs/j1",
                r -> r.response()
                        .setStatusCode(status)
                        .putHeader("Content-Type", "text/html")
                        .putHeader("Retry-After", "7")
                        .end("<html><body><h1>" + status + "</h1>nginx</body></html>"));

        try (KbsyncClient client = server.client()) {
            KbsyncException.ServiceUnavailable e =
                    catchThrowableOfType(KbsyncException.ServiceUnavailable.class, () -> client.job("j1"));

            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo("HTTP_" + status);
            assertThat(e.retryAfter()).contains(Duration.ofSeconds(7));
            assertThat(e.getMessage())
                    .contains("the coordinator at " + server.url() + " is unavailable")
                    .contains("HTTP " + status)
                    .contains("not kbsync's");
        }
    }

    @Test
    void shouldMoveToTheNextCoordinatorWhenAProxyAnswersBadGateway() {
        serve(server, "/v1/workers", 502, "text/html", "<html><body>502 Bad Gateway</body></html>");
        serve(second, "/v1/workers", 200, "application/json", "{\"workers\":[]}");
        try (KbsyncClient client = KbsyncClient.create(ClientOptions.of(List.of(server.url(), second.url()), "t"))) {
            assertThat(client.workers().workers()).isEmpty();
            assertThat(client.coordinator()).isEqualTo(second.url());
        }
    }

    @Test
    void shouldKeepKbsyncsOwnErrorsBehindAProxy() {
        serve(
                server,
                "/v1/jobs/j1",
                404,
                "application/json",
                "{\"error\":{\"code\":\"JOB_NOT_FOUND\",\"message\":\"no job j1\"}}");

        try (KbsyncClient client = server.client()) {
            assertThat(catchThrowableOfType(KbsyncException.NotFound.class, () -> client.job("j1"))
                            .code())
                    .isEqualTo("JOB_NOT_FOUND");
        }
    }

    /**
     * A proxy's sign-in page answered 200 where an event stream was expected: not kbsync's stream (read as one, it
     * would end with no event, as if the job had none), as the Python client says.
     */
    @Test
    void shouldSayA200ThatIsNotAnEventStreamIsNotKbsync() {
        serve(server, "/v1/jobs/j1/events", 200, "text/html", "<html><body>Sign in</body></html>");

        try (KbsyncClient client = server.client()) {
            KbsyncException e = catchThrowableOfType(KbsyncException.class, () -> {
                try (EventStream<?> events = client.jobEvents("j1")) {
                    events.forEachRemaining(event -> {});
                }
            });

            assertThat(e)
                    .isInstanceOf(KbsyncException.NotKbsync.class)
                    .hasMessageContaining("the server at " + server.url() + " did not answer as a kbsync coordinator")
                    .hasMessageContaining("HTTP 200")
                    .hasMessageContaining("text/html");
        }
    }

    @Test
    void shouldSayALeaseChannelRefusedByAnotherServerIsNotKbsync() {
        serve(server, "/v1/leases/channel", 404, "text/html", NGINX_404);

        try (KbsyncClient client = server.client()) {
            Throwable e = client.async()
                    .openLeaseChannel()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .handle((channel, failure) -> failure)
                    .orTimeout(10, TimeUnit.SECONDS)
                    .join();

            assertThat(e)
                    .isInstanceOf(KbsyncException.NotKbsync.class)
                    .hasMessageContaining("GET /v1/leases/channel")
                    .hasMessageContaining("HTTP 404");
        }
    }

    private static void serve(FakeCoordinator at, String path, int status, String contentType, String body) {
        at.on(
                path,
                r -> r.response()
                        .setStatusCode(status)
                        .putHeader("Content-Type", contentType)
                        .end(body));
    }
}
