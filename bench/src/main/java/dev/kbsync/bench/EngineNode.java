package dev.kbsync.bench;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.LeaseService;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The Redis engine without HTTP, on its own Vert.x and Redisson client, with default settings. */
final class EngineNode implements AutoCloseable {
    private final Vertx vertx;
    private final RedissonClient redisson;
    private final Engine engine;

    private EngineNode(Vertx vertx, RedissonClient redisson, Engine engine) {
        this.vertx = vertx;
        this.redisson = redisson;
        this.engine = engine;
    }

    static EngineNode start(String redisUri) throws Exception {
        EngineConfig config = EngineConfig.defaults("bench-engine");
        Config redisson = new Config();
        redisson.useSingleServer().setAddress(redisUri);
        RedissonClient client = Redisson.create(Engine.tune(redisson, config));
        Vertx vertx = Vertx.vertx();
        Engine engine = Engine.start(vertx, client, config, MetricsSink.NONE).await(30, TimeUnit.SECONDS);
        return new EngineNode(vertx, client, engine);
    }

    void register(Iterable<String> kbs) throws Exception {
        for (String kb : kbs) {
            engine.services()
                    .kbs()
                    .register(new KbConfig(KbId.of(kb), "file:///tmp/" + kb, "main"))
                    .await(30, TimeUnit.SECONDS);
        }
    }

    Mutex lease(String kb, String holder) {
        return new EngineLease(vertx.eventBus(), engine.services(), kb, holder);
    }

    LeaseService leases() {
        return engine.services().leases();
    }

    @Override
    public void close() throws Exception {
        engine.stop().await(30, TimeUnit.SECONDS);
        redisson.shutdown();
        vertx.close().await(30, TimeUnit.SECONDS);
    }
}
