package dev.kbsync.coordinator.engine;

import dev.kbsync.coordinator.kb.KbConfig;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.kb.KbId;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Test fixture: engines ("coordinators"), each with its own Redisson client, on one test Redis. */
final class Coordinators implements AutoCloseable {
    private final RedisExtension redis;
    private final Vertx vertx = Vertx.vertx();
    private final List<RedissonClient> clients = new ArrayList<>();
    private final List<Engine> engines = new ArrayList<>();

    Coordinators(RedisExtension redis) {
        this.redis = redis;
    }

    /** Short TTLs so expiry tests stay fast: lease 1.5 s, max hold 20 s, waiter 1.5 s, watchdog 1.5 s. */
    static EngineConfig config(String id) {
        return new EngineConfig(
                id,
                Duration.ofMillis(1500),
                Duration.ofSeconds(20),
                Duration.ofMillis(1500),
                Duration.ofMillis(1500),
                Duration.ofMillis(100));
    }

    Vertx vertx() {
        return vertx;
    }

    Engine start(EngineConfig config) {
        return start(config, MetricsSink.NONE);
    }

    Engine start(EngineConfig config, MetricsSink metrics) {
        RedissonClient client = client(config);
        Engine engine = await(Engine.start(vertx, client, config, metrics));
        engines.add(engine);
        return engine;
    }

    RedissonClient client(EngineConfig config) {
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redis.uri());
        RedissonClient client = Redisson.create(Engine.tune(redisson, config));
        clients.add(client);
        return client;
    }

    /** The Redisson client behind the i-th started engine. */
    RedissonClient clientOf(int index) {
        return clients.get(index);
    }

    void register(Engine engine, String... kbs) {
        for (String kb : kbs) {
            await(engine.services().kbs().register(new KbConfig(KbId.of(kb), "file:///tmp/" + kb, "main")));
        }
    }

    static <T> T await(Future<T> future) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        engines.forEach(e -> {
            try {
                await(e.stop());
            } catch (RuntimeException ignored) {
                // a killed engine's Redisson client is gone
            }
        });
        clients.forEach(c -> {
            if (!c.isShutdown()) {
                c.shutdown();
            }
        });
        await(vertx.close());
    }
}
