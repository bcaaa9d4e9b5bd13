package dev.kbsync.coordinator;

import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.CoordinatorServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Supplier;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** Where a coordinator gets its services from: the Redis engine in production, a stand-in in HTTP tests. */
public interface ServicesFactory {
    /** Adjusts the Redisson config before the client is created (watchdog, fair-lock timeouts). */
    default void tune(Config redisson, EngineConfig config) {}

    /** Starts the services over the shared Redisson client. */
    Future<Running> start(Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics);

    /** Started services and how to stop them. */
    record Running(CoordinatorServices services, Supplier<Future<Void>> stop) {}

    /** The Redis engine ({@link Engine}): the production services. */
    static ServicesFactory redisEngine() {
        return new ServicesFactory() {
            @Override
            public void tune(Config redisson, EngineConfig config) {
                Engine.tune(redisson, config);
            }

            @Override
            public Future<Running> start(
                    Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics) {
                return Engine.start(vertx, redisson, config, metrics)
                        .map(engine -> new Running(engine.services(), engine::stop));
            }
        };
    }
}
