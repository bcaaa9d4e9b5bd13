package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.redis.RedisProcess;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

class CoordinatorIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private static CoordinatorConfig config() {
        return CoordinatorConfig.load(
                Optional.empty(),
                Map.of("KBSYNC_HTTP_PORT", "0", "KBSYNC_REDIS_ADDRESS", redis.uri(), "KBSYNC_AUTH_ENABLED", "false"));
    }

    @Test
    void shouldListenOnARealPortAndStopCleanly() throws IOException {
        AtomicReference<RedissonClient> client = new AtomicReference<>();
        AtomicReference<Boolean> stopped = new AtomicReference<>(false);
        ServicesFactory factory = (v, redisson, config, metrics) -> {
            client.set(redisson);
            return Future.succeededFuture(new ServicesFactory.Running(null, () -> {
                stopped.set(true);
                return Future.succeededFuture();
            }));
        };

        Coordinator coordinator;
        try (LogCapture logs = new LogCapture()) {
            coordinator = Coordinator.start(vertx, config(), factory).await();
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("WARN authentication is OFF"));
        }

        assertThat(coordinator.port()).isPositive();
        new Socket("127.0.0.1", coordinator.port()).close();
        coordinator.stop().await();
        assertThat(stopped.get()).isTrue();
        assertThat(client.get().isShutdown()).isTrue();
        assertThatThrownBy(() -> new Socket("127.0.0.1", coordinator.port()).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void shouldShutTheRedisClientDownWhenTheServicesFailToStart() {
        AtomicReference<RedissonClient> client = new AtomicReference<>();
        ServicesFactory factory = (v, redisson, config, metrics) -> {
            client.set(redisson);
            return Future.failedFuture(new IllegalStateException("engine down"));
        };

        assertThatThrownBy(() -> Coordinator.start(vertx, config(), factory).await())
                .hasMessage("engine down");
        org.awaitility.Awaitility.await().until(() -> client.get().isShutdown());
    }

    @Test
    void shouldFailToStartWhenRedisIsUnreachable() {
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_HTTP_PORT", "0",
                        "KBSYNC_REDIS_ADDRESS", "redis://127.0.0.1:" + RedisProcess.freePort(),
                        "KBSYNC_AUTH_ENABLED", "false"));
        ServicesFactory factory = (v, redisson, c, metrics) -> Future.failedFuture(new AssertionError("not reached"));

        assertThatThrownBy(() -> Coordinator.start(vertx, config, factory).await())
                .hasMessageContaining("Unable to connect");
    }

    @Test
    void shouldRunTheJobCycleOverHttpOnTheRedisEngine() throws Exception {
        Coordinator coordinator = Coordinator.start(vertx, config()).await();
        Http http = new Http(coordinator.port());
        assertThat(http.call("PUT", "/v1/kbs/team", "{\"remote\":\"/srv/git/team.git\",\"branch\":\"main\"}")
                        .statusCode())
                .isEqualTo(200);

        JsonObject first = http.json("POST", "/v1/kbs/team/notes", "{\"user\":\"alice\",\"text\":\"one\"}", 202);
        JsonObject second = http.json("POST", "/v1/kbs/team/notes", "{\"user\":\"bob\",\"text\":\"two\"}", 202);
        assertThat(second.getLong("ahead")).isEqualTo(1);

        JsonObject a1 = http.json("POST", "/v1/workers/w1/poll", "{\"waitMs\":5000}", 200);
        assertThat(a1.getJsonObject("job").getString("id")).isEqualTo(first.getString("id"));
        assertThat(a1.getJsonObject("kb").getString("remote")).isEqualTo("/srv/git/team.git");
        assertThat(http.call("POST", "/v1/workers/w2/poll", "{\"waitMs\":300}").statusCode())
                .as("the KB is busy: nothing to hand out")
                .isEqualTo(204);

        String result = new JsonObject()
                .put("leaseId", a1.getJsonObject("lease").getString("id"))
                .put("state", "done")
                .put("commit", "c0ffee")
                .encode();
        JsonObject done = http.json("POST", "/v1/jobs/" + first.getString("id") + "/result", result, 200);
        assertThat(done.getString("state")).isEqualTo("done");

        JsonObject a2 = http.json("POST", "/v1/workers/w2/poll", "{\"waitMs\":5000}", 200);
        assertThat(a2.getJsonObject("job").getString("id")).isEqualTo(second.getString("id"));
        assertThat(a2.getJsonObject("lease").getLong("fencingToken"))
                .isGreaterThan(a1.getJsonObject("lease").getLong("fencingToken"));
        coordinator.stop().await();
    }

    /** A blocking HTTP client for the test thread. */
    private record Http(int port) {
        HttpResponse<String> call(String method, String path, String body) throws Exception {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body))
                    .build();
            return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        }

        JsonObject json(String method, String path, String body, int expectedStatus) throws Exception {
            HttpResponse<String> response = call(method, path, body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(expectedStatus);
            return new JsonObject(response.body());
        }
    }
}
