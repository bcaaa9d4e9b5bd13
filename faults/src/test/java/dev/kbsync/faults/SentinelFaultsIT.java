package dev.kbsync.faults;

import dev.kbsync.faults.cluster.Cluster;
import dev.kbsync.faults.nemesis.SentinelFailover;
import dev.kbsync.testing.RedisSentinelGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault-injection suite on a Sentinel group (1 master, 2 replicas behind one cuttable link, 3 Sentinels): the coordinators use it through
 * a Redisson Sentinel config, writes wait for a replica's acknowledgement, and the master is killed mid-run.
 */
class SentinelFaultsIT {
    private static final long SEED = Seeds.base();

    @TempDir
    static Path dir;

    private static RedisSentinelGroup group;
    private static Cluster cluster;

    @BeforeAll
    static void start() throws IOException {
        group = RedisSentinelGroup.startWithReplicaLink(2);
        String addresses = group.sentinelAddresses().stream()
                .map(a -> "    - \"" + a + "\"")
                .collect(Collectors.joining("\n"));
        Path config = Files.writeString(
                dir.resolve("redisson-sentinel.yaml"),
                "sentinelServersConfig:\n  masterName: " + group.masterName() + "\n  sentinelAddresses:\n" + addresses
                        + "\n  checkSentinelsList: false\n  connectTimeout: 3000\n  timeout: 3000\n"
                        + "  retryAttempts: 4\n");
        cluster = Cluster.start(
                dir,
                Report.dir().resolve("logs-" + SentinelFaultsIT.class.getSimpleName()),
                Map.of("KBSYNC_REDIS_CONFIG_FILE", config.toString()),
                3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (group != null) {
            group.close();
        }
    }

    @Test
    void masterKilledSentinelFailsOver() {
        Run.assertValid(
                cluster,
                new Scenario(
                        "sentinel-failover",
                        new SentinelFailover(group),
                        Scenario.load(1.5),
                        6,
                        3,
                        "resume <= 10 s; 0 acknowledged jobs lost; no token reused",
                        new Scenario.Recovery("kill -9 redis master", Duration.ofSeconds(10))),
                SEED);
    }
}
