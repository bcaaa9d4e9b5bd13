package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.H2cRequests;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /readyz} says whether the worker takes jobs, and why not. The worker's health and metrics endpoint answers the JDK's HttpClient, which asks for an HTTP/2 upgrade (h2c) on each
 * new connection, in HTTP/1.1: upgraded, large answers reached it garbled now and then.
 */
class HealthServerTest {
    private static final String METRICS = "# a large scrape\n".repeat(4_000);

    private final AtomicReference<Optional<String>> notReady = new AtomicReference<>(Optional.empty());
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        server = new HealthServer(() -> new JsonObject().put("status", "up"), notReady::get, () -> METRICS)
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
        assertThat(H2cRequests.problems(
                        URI.create("http://127.0.0.1:" + server.actualPort() + "/metrics"),
                        Map.of(),
                        100,
                        METRICS::equals))
                .as("answers that were wrong, of 100")
                .isEmpty();
    }

    /**
     * A probe with a Host header that is not a host and optional port gets a 400 at once: Vert.x's router failed such a
     * request with a 500, or threw and never answered.
     */
    @Test
    void shouldRefuseAMalformedHostWith400() throws Exception {
        for (String host : new String[] {"127.0.0.1:abc", "%41", "[::1"}) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.actualPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream()
                        .write(("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                String answer =
                        new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(answer).as(host).startsWith("HTTP/1.1 400").contains("BAD_REQUEST");
            }
        }
    }

    @Test
    void shouldAnswerHeadAsGetWithoutABody() throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
            HttpResponse<String> head = client.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + path))
                            .method("HEAD", HttpRequest.BodyPublishers.noBody())
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(head.statusCode()).as("HEAD " + path).isEqualTo(200);
            assertThat(head.headers().firstValue("Content-Type"))
                    .as("HEAD " + path)
                    .isPresent();
            assertThat(head.body()).as("HEAD " + path).isEmpty();
        }
    }

    @Test
    void shouldAnswerReadyzWith503AndTheReasonWhileTheWorkerTakesNoJobs() throws Exception {
        HttpClient client =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/readyz"))
                .build();

        HttpResponse<String> yes = client.send(ready, HttpResponse.BodyHandlers.ofString());
        notReady.set(Optional.of("cache dir /c has 1.0 MiB free, below cache.minFreeMegabytes (100.0 MiB)"));
        HttpResponse<String> no = client.send(ready, HttpResponse.BodyHandlers.ofString());

        assertThat(yes.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(yes.body()).getString("status")).isEqualTo("ready");
        assertThat(no.statusCode()).isEqualTo(503);
        assertThat(new JsonObject(no.body()).getString("status")).isEqualTo("not ready");
        assertThat(new JsonObject(no.body()).getString("reason")).startsWith("cache dir /c has 1.0 MiB free");
    }
}
