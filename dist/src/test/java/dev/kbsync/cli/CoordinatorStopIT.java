package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.RedisProcess;
import dev.kbsync.testing.RedisExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kbsync coordinator} stopped with SIGTERM: it exits within seconds (a container runtime's stop timeout is 10 s
 * by default), also with a worker's long poll under way, which is answered 503 with {@code Retry-After}, never 500,
 * and with an event stream and a lease channel open, which are closed.
 */
class CoordinatorStopIT {
    /** The longest a stop may take: an idle coordinator took 30 s (a stop that waited for its own timeout). */
    private static final Duration STOP = Duration.ofSeconds(5);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void shouldExitWithinSecondsOfSigtermWhenIdle() throws Exception {
        int port = RedisProcess.freePort();
        try (UpProcess coordinator = coordinator("idle", port)) {
            awaitHealthy(coordinator, port);

            Duration took = stop(coordinator);

            assertThat(took).as("SIGTERM to exit").isLessThan(STOP);
            assertThat(coordinator.errors() + coordinator.output()).doesNotContain("did not finish");
        }
    }

    @Test
    void shouldAnswerALongPollUnderWay503WhenStopping() throws Exception {
        int port = RedisProcess.freePort();
        try (UpProcess coordinator = coordinator("long-poll", port)) {
            awaitHealthy(coordinator, port);
            CompletableFuture<HttpResponse<String>> poll = http.sendAsync(
                    HttpRequest.newBuilder(uri(port, "/v1/workers/w-1/poll"))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"waitMs\":20000}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Thread.sleep(1_000); // the poll waits in the coordinator

            Duration took = stop(coordinator);

            assertThat(took).as("SIGTERM to exit, a long poll under way").isLessThan(STOP);
            HttpResponse<String> answer = poll.get(5, TimeUnit.SECONDS);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
            assertThat(answer.body()).contains("\"COORDINATOR_STOPPING\"");
            assertThat(answer.headers().firstValue("Retry-After")).isPresent();
        } catch (CompletionException e) {
            throw new AssertionError("the poll got no answer", e);
        }
    }

    @Test
    void shouldCloseEventStreamsAndLeaseChannelsWhenStopping() throws Exception {
        int port = RedisProcess.freePort();
        try (UpProcess coordinator = coordinator("streams", port)) {
            awaitHealthy(coordinator, port);
            HttpResponse<InputStream> events = http.send(
                    HttpRequest.newBuilder(uri(port, "/v1/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(events.statusCode()).isEqualTo(200);
            CompletableFuture<Void> streamEnded = CompletableFuture.runAsync(() -> drain(events.body()));
            CompletableFuture<String> channelEnded = new CompletableFuture<>();
            http.newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/v1/leases/channel"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
                            channelEnded.complete("closed " + status);
                            return null;
                        }

                        @Override
                        public void onError(WebSocket ws, Throwable error) {
                            channelEnded.complete("cut " + error);
                        }
                    })
                    .get(10, TimeUnit.SECONDS);

            Duration took = stop(coordinator);

            assertThat(took)
                    .as("SIGTERM to exit, an event stream and a lease channel open")
                    .isLessThan(STOP);
            streamEnded.get(5, TimeUnit.SECONDS);
            assertThat(channelEnded.get(5, TimeUnit.SECONDS))
                    .as("the lease channel closed as going away (1001), not cut")
                    .isEqualTo("closed 1001");
        }
    }

    /** Reads a stream to its end (or its cut). */
    private static void drain(InputStream body) {
        try (body) {
            body.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            // cut: ended all the same
        }
    }

    private static UpProcess coordinator(String name, int port) {
        return UpProcess.spawn(
                KbsyncCli.class,
                Path.of("target", "CoordinatorStopIT"),
                name,
                List.of("coordinator"),
                Map.of(
                        "KBSYNC_REDIS_ADDRESS", redis.uri(),
                        "KBSYNC_HTTP_PORT", Integer.toString(port),
                        "KBSYNC_AUTH_ENABLED", "false"));
    }

    /** SIGTERM, then the time until the process exited (with 143, as a shell reports a process SIGTERM ended). */
    private static Duration stop(UpProcess coordinator) throws Exception {
        long started = System.nanoTime();
        coordinator.signal("TERM");
        assertThat(coordinator.awaitExit(Duration.ofSeconds(60)))
                .as("128 + SIGTERM")
                .isEqualTo(143);
        return Duration.ofNanos(System.nanoTime() - started);
    }

    private void awaitHealthy(UpProcess coordinator, int port) throws InterruptedException {
        long deadline = System.nanoTime() + UpProcess.START.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<Void> ready = http.send(
                        HttpRequest.newBuilder(uri(port, "/readyz")).build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (!coordinator.alive()) {
                throw new AssertionError("the coordinator exited at start:\n" + coordinator.errors());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the coordinator was not ready within " + UpProcess.START);
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
