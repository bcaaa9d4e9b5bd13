package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The worker's health and metrics endpoint answers the JDK's HttpClient, which asks for an HTTP/2 upgrade (h2c) on each
 * new connection, in HTTP/1.1: upgraded, large answers reached it garbled now and then.
 */
class HealthServerTest {
    private static final String METRICS = "# a large scrape\\n".repeat(4_000);

    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new HealthServer(() -> new JsonObject().put("status", "up"), () -> METRICS)
                .listen(vertx, "127.0.0.1", 0)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldAnswerAClientAskingForAnH2cUpgradeInHttp11() throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            HttpClient client = HttpClient.newHttpClient(); // a new connection, which asks for the upgrade
            HttpRequest request = HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.actualPort() + "/metrics"))
                    .build();
            try {
                HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
                assertThat(response.body()).isEqualTo(METRICS);
            } catch (IOException e) {
                failures.add(e.toString());
            }
        }
        assertThat(failures).as("answers that failed, of 100").isEmpty();
    }
}
