package dev.kbsync.coordinator.contract;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.Engine;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.CoordinatorServices;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/** The Redis engine as a contract target: two coordinators, each with its own Vert.x and Redisson client. */
final class EngineTarget implements ContractTarget, AutoCloseable {
    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<RedissonClient> clients = new ArrayList<>();
    private final List<Engine> engines = new ArrayList<>();
    private final AtomicInteger kbs = new AtomicInteger();

    EngineTarget(Supplier<Config> redisson) {
        for (int i = 0; i < 2; i++) {
            EngineConfig config = ContractTarget.CONFIG.withId("contract-" + i);
            Vertx vertx = Vertx.vertx();
            RedissonClient client = Redisson.create(Engine.tune(redisson.get(), config));
            vertxes.add(vertx);
            clients.add(client);
            engines.add(Contracts.await(Engine.start(vertx, client, config, MetricsSink.NONE)));
        }
    }

    @Override
    public CoordinatorServices coordinator(int index) {
        return engines.get(index).services();
    }

    @Override
    public KbId kb(String name) {
        KbId kb = KbId.of(name + "-" + kbs.incrementAndGet());
        Contracts.await(coordinator(0).kbs().register(new KbConfig(kb, "file:///srv/" + kb.value(), "main")));
        return kb;
    }

    @Override
    public long storedKeys() {
        return clients.get(0)
                .getKeys()
                .getKeysStream()
                .filter(k -> !k.endsWith(":driver"))
                .count();
    }

    @Override
    public void close() {
        for (int i = 0; i < engines.size(); i++) {
            Contracts.await(engines.get(i).stop());
            clients.get(i).shutdown(0, 2, TimeUnit.SECONDS);
            Contracts.await(vertxes.get(i).close());
        }
    }
}
