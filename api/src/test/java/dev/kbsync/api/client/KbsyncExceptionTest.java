package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import io.vertx.core.Promise;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error answer and every missing answer becomes its typed exception, over real HTTP. */
class KbsyncExceptionTest {
    private static FakeCoordinator server;
    private static KbsyncClient client;

    @BeforeAll
    static void start() throws Exception {
        server = new FakeCoordinator();
        client = server.client();
    }

    @AfterAll
    static void stop() throws Exception {
        client.close();
        server.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "401, UNAUTHENTICATED, Unauthenticated",
        "403, FORBIDDEN, Forbidden",
        "404, JOB_NOT_FOUND, NotFound",
        "409, LEASE_LOST, LeaseLost",
        "409, JOB_FINISHED, Conflict",
        "400, INVALID_USER, InvalidRequest",
        "413, BODY_TOO_LARGE, InvalidRequest",
        "500, INTERNAL, ServerError",
        "502, BAD_GATEWAY, ServerError",
    })
    void shouldMapEachErrorAnswerToItsType(int status, String code, String type) {
        server.answer("/v1/jobs/j-" + status + code, status, error(code));

        KbsyncException e = catchThrowableOfType(KbsyncException.class, () -> client.job("j-" + status + code));

        assertThat(e.getClass().getSimpleName()).isEqualTo(type);
        assertThat(e.status()).isEqualTo(status);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).isEqualTo(code + ": m");
        assertThat(e).isInstanceOf(status >= 500 ? KbsyncException.Unavailable.class : KbsyncException.Rejected.class);
    }

    @Test
    void shouldCarryRetryAfterOf429And503() {
        server.on(
                "/v1/kbs/k/notes",
                r -> r.response()
                        .setStatusCode(429)
                        .putHeader("Retry-After", "12")
                        .end(error("RATE_LIMITED")));
        server.on(
                "/readyz",
                r -> r.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", "3")
                        .end(error("NOT_READY")));

        KbsyncException.RateLimited limited = catchThrowableOfType(
                KbsyncException.RateLimited.class, () -> client.submitNote(KbId.of("k"), NoteRequest.of("u", "t")));
        KbsyncException.ServiceUnavailable down =
                catchThrowableOfType(KbsyncException.ServiceUnavailable.class, client::ready);

        assertThat(limited.retryAfter()).contains(Duration.ofSeconds(12));
        assertThat(down.retryAfter()).contains(Duration.ofSeconds(3));
        assertThat(down).isInstanceOf(KbsyncException.Unavailable.class);
    }

    /**
     * A Retry-After too long to count in nanoseconds (a proxy's, a typo) is taken as an hour at most: it overflowed
     * the pause of a call refused for one job ({@code JOB_RESTORING}), and {@code job()} and {@code awaitJob} threw a
     * raw ArithmeticException instead of the 503.
     */
    @Test
    void shouldTakeAHugeRetryAfterAsAnHourAtMost() {
        server.on(
                "/v1/jobs/j-huge",
                r -> r.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", "99999999999")
                        .end(error("JOB_RESTORING")));
        server.on(
                "/v1/jobs/j-huge/events",
                r -> r.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", "99999999999")
                        .end(error("JOB_RESTORING")));

        KbsyncException.ServiceUnavailable refused =
                catchThrowableOfType(KbsyncException.ServiceUnavailable.class, () -> client.job("j-huge"));
        assertThat(refused.retryAfter()).contains(Duration.ofHours(1));
        assertThatThrownBy(() -> client.awaitJob("j-huge", Duration.ofSeconds(5)))
                .isInstanceOf(KbsyncException.TimedOut.class)
                .hasCauseInstanceOf(KbsyncException.ServiceUnavailable.class);
    }

    /** Retry-After as an HTTP date (a proxy's form): the time until then; a date passed already, none. */
    @Test
    void shouldReadARetryAfterGivenAsAnHttpDate() {
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        String passed = DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).minusSeconds(60));
        server.on(
                "/v1/kbs/dated/notes",
                r -> r.response()
                        .setStatusCode(429)
                        .putHeader("Retry-After", inAMinute)
                        .end("rate limited by the proxy"));
        server.on(
                "/v1/kbs/passed/notes",
                r -> r.response()
                        .setStatusCode(503)
                        .putHeader("Retry-After", passed)
                        .end("<html>503 Service Unavailable</html>"));

        KbsyncException.RateLimited limited = catchThrowableOfType(
                KbsyncException.RateLimited.class, () -> client.submitNote(KbId.of("dated"), NoteRequest.of("u", "t")));
        KbsyncException.ServiceUnavailable down = catchThrowableOfType(
                KbsyncException.ServiceUnavailable.class,
                () -> client.submitNote(KbId.of("passed"), NoteRequest.of("u", "t")));

        assertThat(limited.retryAfter())
                .hasValueSatisfying(d -> assertThat(d).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60)));
        assertThat(down.retryAfter()).contains(Duration.ZERO);
    }

    @Test
    void shouldReportARefusedConnectionAsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (KbsyncClient nobody =
                KbsyncClient.create(ClientOptions.of(URI.create("http://127.0.0.1:" + port), null))) {
            KbsyncException e = catchThrowableOfType(KbsyncException.Unreachable.class, () -> nobody.job("j"));

            assertThat(e.status()).isZero();
            assertThat(e.code()).isEqualTo("UNREACHABLE");
            assertThat(e.getMessage()).contains("cannot reach the coordinator at http://127.0.0.1:" + port);
        }
    }

    @Test
    void shouldTimeOutACallThatGetsNoAnswer() throws Exception {
        server.on("/v1/jobs/silent", r -> {});
        ClientOptions quick = ClientOptions.of(server.url(), null).withRequestTimeout(Duration.ofMillis(300));
        try (KbsyncClient impatient = KbsyncClient.create(quick)) {
            long start = System.nanoTime();

            assertThatThrownBy(() -> impatient.job("silent")).isInstanceOf(KbsyncException.TimedOut.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void shouldRefuseToBlockAnEventLoop() throws Exception {
        try (KbsyncClient shared = KbsyncClient.create(server.vertx, ClientOptions.of(server.url(), null))) {
            Promise<Throwable> thrown = Promise.promise();
            server.vertx.getOrCreateContext().runOnContext(v -> {
                try {
                    shared.health();
                    thrown.complete(null);
                } catch (IllegalStateException e) {
                    thrown.complete(e);
                }
            });

            assertThat(thrown.future().await(10, TimeUnit.SECONDS)).hasMessageContaining("use async()");
        }
    }

    private static String error(String code) {
        return "{\"error\":{\"code\":\"" + code + "\",\"message\":\"m\"}}";
    }
}
