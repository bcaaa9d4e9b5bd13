package dev.kbsync.worker.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Failure classification over real HTTP: a tiny server answering fixed statuses, and a port nobody listens on. */
class CoordinatorClientTest {
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .requestHandler(req -> {
                    int status = Integer.parseInt(req.path().replaceAll(".*/(\\d{3})[^/]*/.*", "$1"));
                    String code = status == 409 ? "LEASE_LOST" : "SOMETHING";
                    req.response()
                            .setStatusCode(status)
                            .end(new JsonObject()
                                    .put(
                                            "error",
                                            new JsonObject().put("code", code).put("message", "m"))
                                    .encode());
                })
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldClassifyLeaseLostUnreachableAndRefused() {
        CoordinatorClient client = client(server.actualPort());

        assertThat(failure(client.heartbeat("409"))).isInstanceOf(CoordinatorException.LeaseLost.class);
        assertThat(failure(client.heartbeat("503"))).isInstanceOf(CoordinatorException.Unreachable.class);
        assertThat(failure(client.heartbeat("400"))).isInstanceOf(CoordinatorException.Refused.class);
    }

    @Test
    void shouldReportAConnectionErrorAsUnreachableAfterRetrying() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        assertThat(failure(client(port).heartbeat("lease-1"))).isInstanceOf(CoordinatorException.Unreachable.class);
    }

    @Test
    void shouldJitterRetryDelaysWithinTheCap() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(400));

        for (int retry = 1; retry <= 10; retry++) {
            assertThat(policy.delay(retry)).isBetween(Duration.ofMillis(1), Duration.ofMillis(400));
        }
    }

    private CoordinatorClient client(int port) {
        return new CoordinatorClient(
                vertx,
                URI.create("http://127.0.0.1:" + port),
                "token",
                new RetryPolicy(2, Duration.ofMillis(10), Duration.ofMillis(20)));
    }

    private static Throwable failure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
