package dev.kbsync.faults;

import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.nemesis.Combined;
import dev.kbsync.faults.nemesis.RedisPause;
import dev.kbsync.faults.nemesis.RedisRestart;
import dev.kbsync.faults.nemesis.RemoteRejects;
import dev.kbsync.testing.RedisExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection suite's storage faults on a cluster of its own (one Redis with AOF): Redis restarted, Redis
 * unreachable, a remote refusing pushes, and the randomized combination of every fault. Seeded like {@link FaultsIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisFaultsIT {
    private static final Logger log = LoggerFactory.getLogger(RedisFaultsIT.class);
    private static final long SEED = Seeds.base();

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.appendOnly();

    @TempDir
    static Path dir;

    private static Cluster cluster;

    @BeforeAll
    static void startCluster() {
        log.info("faults seed {}", SEED);
        cluster = Cluster.start(
                dir,
                Report.dir().resolve("logs-" + RedisFaultsIT.class.getSimpleName()),
                Map.of("KBSYNC_REDIS_ADDRESS", redis.uri()),
                3);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void redisRestartedOnItsAof() {
        Run.assertValid(
                cluster,
                new Scenario(
                        "redis-restart",
                        new RedisRestart(redis.process()),
                        Scenario.load(1),
                        6,
                        3,
                        "0 acknowledged jobs lost, 0 duplicated, no token reused"),
                SEED);
    }

    @Test
    @Order(2)
    void redisUnreachable() {
        Run.assertValid(
                cluster,
                new Scenario(
                        "redis-pause",
                        new RedisPause(redis.process()),
                        Scenario.load(1),
                        6,
                        3,
                        "0 lost, 0 duplicated; 503 with Retry-After meanwhile, never 500"),
                SEED);
    }

    @Test
    @Order(3)
    void remoteRefusesPushes() {
        Run.assertValid(
                cluster,
                new Scenario(
                        "remote-rejects",
                        new RemoteRejects(),
                        Scenario.load(1),
                        6,
                        3,
                        "exactly once, or an explicit failure; 0 duplicated"),
                SEED);
    }

    @Test
    @Order(4)
    void everyFaultCombined() {
        Run.assertValid(
                cluster,
                new Scenario(
                        "combined",
                        new Combined(redis.process(), Integer.getInteger("faults.rounds", 4)),
                        Scenario.load(1.5),
                        6,
                        3,
                        "0 lost, 0 duplicated, 0 overlaps"),
                SEED);
    }
}
