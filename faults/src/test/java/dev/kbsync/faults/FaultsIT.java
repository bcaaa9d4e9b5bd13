package dev.kbsync.faults;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.cluster.JvmProcess;
import dev.kbsync.faults.nemesis.ClockJump;
import dev.kbsync.faults.nemesis.CoordinatorKill;
import dev.kbsync.faults.nemesis.Nemesis;
import dev.kbsync.faults.nemesis.WorkerFreeze;
import dev.kbsync.faults.nemesis.WorkerKill;
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
 * The fault-injection suite on one Redis with AOF: 2 coordinators and 3 workers as separate JVMs, lease holders and
 * job submitters recording a history, one nemesis per test on fresh KBs, judged by the checker. A failure prints the
 * seed that replays its schedule ({@code -Dfaults.seed=}).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultsIT {
    private static final Logger log = LoggerFactory.getLogger(FaultsIT.class);
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
                Report.dir().resolve("logs-" + FaultsIT.class.getSimpleName()),
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
    void noFaults() {
        run(new Scenario("baseline", Nemesis.NONE, Scenario.load(1.5), 16, 6, "0 lost, 0 duplicated, 0 overlaps"));
    }

    @Test
    @Order(2)
    void workerKilledInEveryPhase() {
        run(new Scenario(
                "worker-kill",
                new WorkerKill(),
                Scenario.load(1),
                6,
                3,
                "lock free <= lease TTL + 1 s; exactly once; checkout recovers, no partial note"));
        // No recovery bound asserted: the first grant the clients can see after a kill is often a later job's or a
        // holder's, behind the killed worker's job run again (one run saw 8.1 s: the job's new grant lapsed unclaimed
        // once, then its rerun took 3.5 s), while the lock itself was free within the TTL + 1 s; the figure is
        // reported, and a KB never granted again still fails the run.
    }

    @Test
    @Order(3)
    void workerFrozenPastItsLease() {
        run(new Scenario(
                "worker-sigstop",
                new WorkerFreeze(),
                Scenario.load(1),
                6,
                3,
                "its late push refused; 0 commits with a stale fence"));
    }

    @Test
    @Order(4)
    void coordinatorKilled() {
        run(new Scenario(
                "coordinator-kill",
                new CoordinatorKill(),
                Scenario.load(1),
                6,
                3,
                "0 acknowledged jobs lost, 0 duplicated, 0 overlaps"));
    }

    @Test
    @Order(5)
    void coordinatorClockAhead() {
        assumeTrue(JvmProcess.canShiftClocks(), "libfaketime is not installed: the clock-jump run is skipped");
        run(new Scenario("clock-jump", new ClockJump(), Scenario.load(2), 6, 3, "0 overlaps, 0 lost, 0 duplicated"));
    }

    private static void run(Scenario scenario) {
        Run.assertValid(cluster, scenario, SEED);
    }
}
