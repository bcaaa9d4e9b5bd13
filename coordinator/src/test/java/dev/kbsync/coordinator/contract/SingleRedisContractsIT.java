package dev.kbsync.coordinator.contract;

import dev.kbsync.testing.RedisExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.config.Config;

/** Every contract suite against the Redis engine on one Redis server, through two coordinators. */
class SingleRedisContractsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static EngineTarget target;

    @BeforeAll
    static void start() {
        target = new EngineTarget(() -> {
            Config config = new Config();
            config.useSingleServer().setAddress(redis.uri());
            return config;
        });
    }

    @AfterAll
    static void stop() {
        target.close();
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
