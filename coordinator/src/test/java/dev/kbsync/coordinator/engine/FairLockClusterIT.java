package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.testing.RedisClusterFixture;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.Redisson;
import org.redisson.api.RLock;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * The KB's {@code RFairLock} on a Redis Cluster 7: Redisson waits there on sharded pub/sub, so the step that ends a
 * grant must wake the first queued Redisson waiter with {@code SPUBLISH} (a {@code PUBLISH} would leave it waiting
 * until its timeout).
 */
class FairLockClusterIT {
    static RedisClusterFixture cluster;
    static Vertx vertx;
    static RedissonClient client;
    static RedissonClient outsider;
    static Engine engine;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        EngineConfig config = Coordinators.config("cluster");
        client = Redisson.create(Engine.tune(clusterConfig(), config));
        outsider = Redisson.create(clusterConfig());
        vertx = Vertx.vertx();
        engine = await(Engine.start(vertx, client, config, MetricsSink.NONE));
        await(engine.services().kbs().register(new KbConfig(KbId.of("cl-wake"), "file:///tmp/cl-wake", "main")));
    }

    @AfterAll
    static void stop() {
        if (engine != null) {
            await(engine.stop());
            client.shutdown();
            outsider.shutdown();
            await(vertx.close());
        }
        cluster.close();
    }

    @Test
    void shouldWakeARedissonWaiterQueuedBehindAGrantOnACluster() throws Exception {
        KbId kb = KbId.of("cl-wake");
        RLock lock = outsider.getFairLock(new KbKeys(kb).lock());
        Lease lease = await(leases().request(kb, "holder", Duration.ofSeconds(10)));
        assertThat(lease.state()).isEqualTo(LeaseState.GRANTED);
        CompletableFuture<Void> outside =
                lock.lockAsync(10, TimeUnit.SECONDS, 42).toCompletableFuture();
        Thread.sleep(300);
        assertThat(outside).isNotDone();

        long released = System.nanoTime();
        await(leases().release(lease.id()));

        outside.get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - released)).isLessThan(Duration.ofSeconds(2));
        lock.unlockAsync(42).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Config clusterConfig() {
        Config redisson = new Config();
        cluster.nodeAddresses().forEach(a -> redisson.useClusterServers().addNodeAddress(a));
        return redisson;
    }

    private static LeaseService leases() {
        return engine.services().leases();
    }
}
