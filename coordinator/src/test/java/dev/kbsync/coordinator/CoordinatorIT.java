package dev.kbsync.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.embedded.RedisProcess;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
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
    void shouldSayClearlyWhenTheRedisEngineIsNotInTheBuild() {
        assertThatThrownBy(() -> Coordinator.start(vertx, config()).await())
                .hasMessageContaining("Redis engine is not merged");
    }
}
