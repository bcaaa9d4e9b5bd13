package dev.kbsync.coordinator.faults;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** A full coordinator (HTTP included) on a Redis address, asked for {@code GET /readyz}. */
final class Readiness implements AutoCloseable {
    private final Vertx vertx = Vertx.vertx();
    private final Coordinator coordinator;
    private final HttpClient http = HttpClient.newHttpClient();

    Readiness(String redisUri) {
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_HTTP_PORT", "0",
                        "KBSYNC_REDIS_ADDRESS", redisUri,
                        "KBSYNC_AUTH_ENABLED", "false",
                        "KBSYNC_COORDINATOR_ID", "ready"));
        this.coordinator = Node.get(Coordinator.start(vertx, config), Duration.ofSeconds(30));
    }

    /** The status code of {@code GET /readyz}, or -1 when the coordinator itself did not answer in 10 s. */
    int status() {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.port() + "/readyz"))
                .timeout(Duration.ofSeconds(10))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            Node.get(coordinator.stop(), Duration.ofSeconds(15));
        } finally {
            Node.get(vertx.close(), Duration.ofSeconds(10));
        }
    }
}
