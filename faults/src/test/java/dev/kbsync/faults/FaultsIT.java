package dev.kbsync.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.faults.check.Verdict;
import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.nemesis.Nemesis;
import dev.kbsync.testing.RedisExtension;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault-injection suite on one Redis with AOF: 2 coordinators and 3 workers as separate JVMs, lease holders and
 * job submitters recording a history, one nemesis per test on fresh KBs, judged by the checker. A failure prints the
 * seed that replays its schedule ({@code -Dfaults.seed=}).
 */
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
    void noFaults() {
        run(new Scenario(
                "baseline", Nemesis.NONE, Scenario.load(1.25), 16, 6, 100, "0 lost, 0 duplicated, 0 overlaps"));
    }

    private static void run(Scenario scenario) {
        Verdict verdict = Run.execute(cluster, scenario, Seeds.of(SEED, scenario.id()));
        assertThat(verdict.violations())
                .as(() -> Seeds.replay(scenario.id(), SEED, verdict.violations()))
                .isEmpty();
        assertThat(verdict.figures().acknowledged()).isPositive();
    }
}
