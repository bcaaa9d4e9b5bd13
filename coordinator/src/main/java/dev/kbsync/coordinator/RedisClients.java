package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Builds, pings and shuts down the Redisson client, always off the event loop. */
final class RedisClients {
    private RedisClients() {}

    static Future<RedissonClient> create(Vertx vertx, CoordinatorConfig config, ServicesFactory factory) {
        return vertx.executeBlocking(() -> {
            Config redisson = redissonConfig(config);
            factory.tune(redisson, config.engine());
            return Redisson.create(redisson);
        });
    }

    /** Completes when Redis answered a round trip (works for single, Sentinel and Cluster). */
    static Future<Void> ping(Vertx vertx, RedissonClient redisson) {
        return Future.fromCompletionStage(
                        redisson.getBucket("kbsync:readyz").isExistsAsync(), vertx.getOrCreateContext())
                .mapEmpty();
    }

    static Future<Void> shutdown(Vertx vertx, RedissonClient redisson) {
        return vertx.executeBlocking(() -> {
            redisson.shutdown();
            return null;
        });
    }

    private static Config redissonConfig(CoordinatorConfig config) {
        if (config.redis().configFile().isPresent()) {
            try {
                return Config.fromYAML(config.redis().configFile().get().toFile());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read redis.configFile", e);
            }
        }
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(config.redis().address());
        return redisson;
    }
}
