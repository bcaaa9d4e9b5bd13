package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Builds, pings and shuts down the Redisson client, always off the event loop. */
public final class RedisClients {
    private RedisClients() {}

    /**
     * The Redisson client, its connections on the event loop of the context the coordinator starts on (where the
     * engine and the HTTP server run too, {@link #onEventLoopOf}); the returned future completes on that context.
     */
    static Future<RedissonClient> create(Vertx vertx, CoordinatorConfig config, ServicesFactory factory) {
        Context context = vertx.getOrCreateContext();
        return context.executeBlocking(() -> {
            Config redisson = redissonConfig(config.redis());
            factory.tune(redisson, config.engine());
            onEventLoopOf(context, redisson);
            return Redisson.create(redisson);
        });
    }

    /**
     * Lets Redisson's connections live on {@code context}'s event loop instead of Redisson's own Netty threads: a
     * command sent from that context is written without a hand-off, and its reply continues there directly (before,
     * each reply arrived on a Redisson thread and was handed back to the engine's context). Only with Vert.x's NIO
     * transport, which Redisson's default transport matches; with a native transport Redisson keeps its own threads.
     * Redisson does not shut down a group it was given: the event loop stays Vert.x's.
     */
    static void onEventLoopOf(Context context, Config redisson) {
        if (!context.owner().isNativeTransportEnabled() && context instanceof ContextInternal internal) {
            redisson.setEventLoopGroup(internal.nettyEventLoop());
        }
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
