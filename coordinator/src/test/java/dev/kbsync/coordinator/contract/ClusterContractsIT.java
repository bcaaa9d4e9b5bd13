package dev.kbsync.coordinator.contract;

import dev.kbsync.testing.RedisClusterFixture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.redisson.config.Config;

/** Every contract suite against the Redis engine on a 3-master Redis Cluster, through two coordinators. */
class ClusterContractsIT {
    static RedisClusterFixture cluster;
    static EngineTarget target;

    @BeforeAll
    static void start() {
        cluster = RedisClusterFixture.start();
        target = new EngineTarget(() -> {
            Config config = new Config();
            cluster.nodeAddresses().forEach(a -> config.useClusterServers().addNodeAddress(a));
            return config;
        });
    }

    @AfterAll
    static void stop() {
        if (target != null) {
            target.close();
        }
        cluster.close();
    }

    @Nested
    class MutualExclusion extends MutualExclusionContract {
        @Override
        protected ContractTarget target() {
            return target;
        }
    }

    @Nested
    class Fencing extends FencingContract {
        @Override
        protected ContractTarget target() {
            return target;
        }
    }

    @Nested
    class ExactlyOnce extends ExactlyOnceContract {
        @Override
        protected ContractTarget target() {
            return target;
        }
    }

    @Nested
    class LeaseExpiry extends LeaseExpiryContract {
        @Override
        protected ContractTarget target() {
            return target;
        }
    }

    @Nested
    class Positions extends PositionsContract {
        @Override
        protected ContractTarget target() {
            return target;
        }
    }

    @Nested
    class BadInput extends BadInputContract {
        @Override
        protected ContractTarget target() {
            return target;
        }
    }
}
