package dev.kbsync.coordinator;

import dev.kbsync.coordinator.engine.CoordinatorServices;
import dev.kbsync.coordinator.engine.EngineConfig;
import dev.kbsync.coordinator.metrics.MetricsSink;
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

    /**
     * The Redis engine ({@code dev.kbsync.coordinator.engine.Engine}). MERGE POINT: this is the only place that
     * names the engine; see the merge note in docs/architecture.md ("Coordinator wiring").
     */
    static ServicesFactory redisEngine() {
        return new ServicesFactory() {
            @Override
            public Future<Running> start(
                    Vertx vertx, RedissonClient redisson, EngineConfig config, MetricsSink metrics) {
                return Future.failedFuture(new IllegalStateException(
                        "the Redis engine is not merged into this build yet (ServicesFactory.redisEngine)"));
            }
        };
    }
}
