package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnconfirmedWrite;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

/**
 * {@code redis.waitReplicas: auto} follows the deployment, not only the moment of the start: a coordinator that
 * started while its master's only replica was away (a restart, a resync) waits for a replica once one is connected,
 * instead of replicating asynchronously until its own next restart.
 */
@TimingSensitive
class AutoReplicaWaitIT {
    private static final KbId KB = KbId.of("auto");
    private static final Duration CALL = Duration.ofSeconds(10);

    @Test
    void shouldWaitForAReplicaOnceOneConnectsAfterTheStart() {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicaLink(1)) {
            int master = group.master().port();
            // cut until the coordinator has started and submitted, however long that takes on a loaded machine
            group.replicaLink().cutFor(Duration.ofMinutes(5));
            await().atMost(CALL)
                    .until(() -> String.valueOf(RespClient.once(master, CALL, "INFO", "replication"))
                            .contains("connected_slaves:0"));
            try (Node node = Node.start(single(master), Node.durable("auto", Duration.ofMillis(500)))) {
                node.register(KB.value());
                assertThat(submitted(node))
                        .as("no replica connected: nothing to wait for")
                        .isTrue();
                assertThat(String.valueOf(RespClient.once(master, CALL, "INFO", "replication")))
                        .as("the coordinator started and submitted while the master had no replica")
                        .contains("connected_slaves:0");

                group.replicaLink().refuseNewFor(Duration.ZERO); // the replica connects again
                group.awaitReplicaOnline();
                group.replica().pause(); // the replica stays connected but confirms nothing more

                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(250))
                        .alias("a submit refused for want of the replica's confirmation")
                        .until(() -> !submitted(node));
                group.replica().resume();
            }
        }
    }

    private static boolean submitted(Node node) {
        try {
            Node.get(node.jobs().submit(KB, "ann", new JobPayload.Note("a note", null, null), Optional.empty()), CALL);
            return true;
        } catch (RuntimeException refused) {
            assertThat(refused).as("refused as 503 REPLICATION_TIMEOUT").isInstanceOf(UnconfirmedWrite.class);
            return false;
        }
    }

    private static Config single(int port) {
        Config config = new Config();
        config.useSingleServer().setAddress("redis://127.0.0.1:" + port);
        return config;
    }
}
