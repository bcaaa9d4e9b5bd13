package dev.kbsync.coordinator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.api.RedissonClient;

/**
 * A Redis that may evict keys could drop a KB's {@code :lease} or {@code :fence} key and with it mutual exclusion and
 * fencing: the engine refuses to start on any {@code maxmemory-policy} but {@code noeviction}, unless told to allow it.
 */
class EvictionPolicyIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Vertx vertx;
    RedissonClient client;

    @BeforeEach
    void evicting() {
        RespClient.once(redis.port(), Duration.ofSeconds(2), "CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
        vertx = Vertx.vertx();
    }

    @AfterEach
    void stop() {
        client.shutdown();
        vertx.close().await();
        RespClient.once(redis.port(), Duration.ofSeconds(2), "CONFIG", "SET", "maxmemory-policy", "noeviction");
    }

    @Test
    void shouldRefuseToStartOnARedisThatMayEvictKeys() {
        EngineConfig config = Coordinators.config("evict");
        client = new Coordinators(redis).client(config);

        assertThatThrownBy(() -> Coordinators.await(Engine.start(vertx, client, config, MetricsSink.NONE)))
                .hasMessageContaining("maxmemory-policy")
                .hasMessageContaining("allkeys-lru")
                .hasMessageContaining("noeviction");
    }

    @Test
    void shouldStartAnywayWhenEvictionIsExplicitlyAllowed() {
        EngineConfig config = Coordinators.config("evict")
                .withDurability(new EngineConfig.Durability(0, Duration.ofSeconds(1), true));
        client = new Coordinators(redis).client(config);

        Engine engine = Coordinators.await(Engine.start(vertx, client, config, MetricsSink.NONE));

        assertThat(engine).isNotNull();
        Coordinators.await(engine.stop());
    }
}
