package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;
import org.redisson.config.Config;

/** Builds, pings and shuts down the Redisson client, always off the event loop. */
public final class RedisClients {
    private RedisClients() {}

    static Future<RedissonClient> create(Vertx vertx, CoordinatorConfig config, ServicesFactory factory) {
        return vertx.executeBlocking(() -> {
            Config redisson = redissonConfig(config.redis());
            factory.tune(redisson, config.engine());
            return Redisson.create(redisson);
        });
    }

    /**
     * The health probe over {@code redisson}: a write to {@code kbsync:readyz} on a single Redis or Sentinel; on a
     * Redis Cluster a write to one key per shard, answered once any shard took it ({@link ClusterProbe}), so that one
     * shard's failover does not mark all of Redis down.
     */
    static Supplier<Future<Void>> probe(Vertx vertx, RedissonClient redisson) {
        if (redisson.getConfig().isClusterConfig()) {
            ClusterProbe cluster = new ClusterProbe(vertx, redisson);
            return cluster::ping;
        }
        return () -> ping(vertx, redisson);
    }

    /**
     * Completes when Redis took a write (a single Redis or Sentinel; one slot of a Cluster): a Redis that answers reads
     * but refuses writes (MISCONF: it cannot persist; NOREPLICAS; a replica left read-only) cannot serve either.
     */
    static Future<Void> ping(Vertx vertx, RedissonClient redisson) {
        return Future.fromCompletionStage(
                        redisson.getBucket("kbsync:readyz", StringCodec.INSTANCE)
                                .setAsync("1", Duration.ofMinutes(1)),
                        vertx.getOrCreateContext())
                .mapEmpty();
    }

    static Future<Void> shutdown(Vertx vertx, RedissonClient redisson) {
        return vertx.executeBlocking(() -> {
            redisson.shutdown();
            return null;
        });
    }

    /**
     * The Redisson configuration {@code redis} names (redis.configFile, else redis.address), before the engine's
     * tuning; {@code kbsync doctor} connects with it.
     */
    public static Config redissonConfig(CoordinatorConfig.Redis redis) {
        if (redis.configFile().isPresent()) {
            try {
                return Config.fromYAML(redis.configFile().get().toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read redis.configFile", e);
            }
        }
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redis.address());
        return redisson;
    }
}
