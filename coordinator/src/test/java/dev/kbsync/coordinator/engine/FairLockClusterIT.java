package dev.kbsync.coordinator.engine;

import dev.kbsync.testing.RedisClusterFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

/**
 * {@link FairLockCases} on a 3-master Redis Cluster 7, where Redisson waits on sharded pub/sub: the step that ends a
 * grant wakes the first queued Redisson waiter with {@code SPUBLISH} (a {@code PUBLISH} would leave it waiting until
 * its timeout).
 */
class FairLockClusterIT extends FairLockCases {
    static RedisClusterFixture cluster;
    static Coordinators coordinators;
    static RedissonClient outsider;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        coordinators = new Coordinators(FairLockClusterIT::clusterConfig);
        coordinators.start(Coordinators.config("cluster"));
        coordinators.register(coordinators.node(0).engine(), KBS);
        outsider = Redisson.create(clusterConfig());
    }

    @AfterAll
    static void stop() {
        if (outsider != null) {
            outsider.shutdown();
            coordinators.close();
        }
        cluster.close();
    }

    @Override
    Coordinators coordinators() {
        return coordinators;
    }

    @Override
    RedissonClient outsider() {
        return outsider;
    }

    private static Config clusterConfig() {
        Config redisson = new Config();
        cluster.nodeAddresses().forEach(a -> redisson.useClusterServers().addNodeAddress(a));
        return redisson;
    }
}
