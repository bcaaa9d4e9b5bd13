package dev.kbsync.coordinator.faults;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisSentinelGroup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** One coordinator engine with its own Vert.x and Redisson client, driven from plain test threads. */
record Node(Vertx vertx, RedissonClient client, Engine engine) implements AutoCloseable {

    /** Short TTLs so faults resolve fast: lease 1.5 s, max hold 20 s, waiter 3 s, watchdog 1.5 s, sweep 100 ms. */
    static EngineConfig config(String id) {
        return new EngineConfig(
                id,
                Duration.ofMillis(1500),
                Duration.ofSeconds(20),
                Duration.ofSeconds(3),
                Duration.ofMillis(1500),
                Duration.ofMillis(100));
    }

    /** {@link #config} whose writes wait for the replicas connected at start ({@code auto}), up to {@code timeout}. */
    static EngineConfig durable(String id, Duration timeout) {
        return config(id).withDurability(new EngineConfig.Durability(EngineConfig.Durability.AUTO, timeout, false));
    }

    /** A Redisson config for {@code group}'s master, found through its Sentinels. */
    static Config sentinels(RedisSentinelGroup group) {
        Config config = new Config();
        config.useSentinelServers()
                .setMasterName(group.masterName())
                .addSentinelAddress(group.sentinelAddresses().toArray(String[]::new));
        return config;
    }

    static Node start(Config redisson, EngineConfig config) {
        Vertx vertx = Vertx.vertx();
        RedissonClient client = Redisson.create(Engine.tune(redisson, config));
        return new Node(
                vertx, client, get(Engine.start(vertx, client, config, MetricsSink.NONE), Duration.ofSeconds(30)));
    }

    LeaseService leases() {
        return engine.services().leases();
    }

    JobService jobs() {
        return engine.services().jobs();
    }

    void register(String... kbs) {
        for (String kb : kbs) {
            get(
                    engine.services().kbs().register(new KbConfig(KbId.of(kb), "file:///tmp/" + kb, "main")),
                    Duration.ofSeconds(10));
        }
    }

    /** Blocks a test thread (never an event loop) on an engine future; its failure cause is rethrown unchecked. */
    static <T> T get(Future<T> future, Duration timeout) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        try {
            get(engine.stop(), Duration.ofSeconds(10));
        } catch (RuntimeException redisGone) {
            // best effort: the fault may have left Redis unreachable
        }
        client.shutdown(0, 2, TimeUnit.SECONDS);
        get(vertx.close(), Duration.ofSeconds(10));
    }
}
