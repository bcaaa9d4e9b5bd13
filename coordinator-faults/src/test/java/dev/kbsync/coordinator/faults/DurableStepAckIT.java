package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnconfirmedWrite;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.redisson.config.Config;

/**
 * A durable step whose script writes nothing still writes, and has confirmed, a key of its own in the script's slot,
 * after the script, in the same pipeline as the script and its {@code WAIT}. {@code WAIT} only covers the writes made
 * on the connection that sends it (Redis 7.2 and later keep a connection's offset where its last write left it; Redis
 * 7.0, run here, moves it with every command, so there a retry with the replica cut is refused either way, and no
 * suite here shows the gap end to end): without a write of its own, the step's {@code WAIT} would answer at once on a connection that
 * wrote nothing since the replica last acknowledged, and its caller would be told of a job only the master has.
 *
 * <p>The coordinator reaches the master (1 replica) through a {@link FaultProxy}; a submit with an idempotency key is
 * confirmed, its step's key deleted, then the submit is retried (its script finds the job and writes nothing) while the
 * proxy holds every answer: the script, the step's write and the {@code WAIT} must all reach Redis before any answer
 * (no round trip more), and once answered the replica must hold the step's write.
 */
@TimingSensitive
class DurableStepAckIT {
    private static final KbId KB = KbId.of("acked");
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final Optional<String> KEY = Optional.of("ack-key-1");
    private static final String ACK = "kbsync:{kb:acked}:ack";

    /** One master with one replica, shared by the cases. */
    private static RedisSentinelGroup group;

    @BeforeAll
    static void startGroup() {
        group = RedisSentinelGroup.startWithReplicas(1);
    }

    @AfterAll
    static void stopGroup() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void shouldConfirmAWriteOfItsOwnWhenTheScriptWritesNothingWithoutARoundTripMore() throws InterruptedException {
        try (FaultProxy proxy = FaultProxy.to(group.master().port());
                Node node = Node.start(single(proxy), Node.durable("acked", Duration.ofSeconds(2)))) {
            node.register(KB.value());
            Job first = Node.get(node.jobs().submit(KB, "ann", note(), KEY), CALL);
            int master = group.master().port();
            int replica = group.replica().port();
            RespClient.once(master, CALL, "DEL", ACK);
            await().atMost(CALL)
                    .until(() -> RespClient.once(replica, CALL, "EXISTS", ACK).equals(0L));

            proxy.holdResponses();
            proxy.recordCommands();
            Future<Job> retry = node.jobs().submit(KB, "ann", note(), KEY);
            // the step's commands reach Redis (the WAIT last), no answer reaches the coordinator
            await().atMost(CALL)
                    .until(() ->
                            proxy.commands().stream().anyMatch(c -> c.get(0).equalsIgnoreCase("WAIT")));
            List<List<String>> sent = proxy.commands();
            proxy.releaseResponses();

            int script = -1;
            for (int i = 0; i < sent.size() && script < 0; i++) {
                if (sent.get(i).get(0).equalsIgnoreCase("EVALSHA")
                        && sent.get(i).contains("kbsync:idem:{kb:acked}:ann:ack-key-1")) {
                    script = i;
                }
            }
            assertThat(script).as("the retry's script among %s", sent).isNotNegative();
            List<String> names = sent.subList(script, Math.min(sent.size(), script + 3)).stream()
                    .map(c -> c.get(0).toUpperCase() + (c.size() > 1 ? " " + c.get(1) : ""))
                    .toList();
            assertThat(names)
                    .as("the retry's step, all sent before Redis answered any of it (one round trip)")
                    .containsExactly("EVALSHA " + sent.get(script).get(1), "PSETEX " + ACK, "WAIT 1");
            assertThat(Node.get(retry, CALL).id())
                    .as("the retry answers the first job")
                    .isEqualTo(first.id());
            assertThat(RespClient.once(replica, CALL, "EXISTS", ACK))
                    .as("the step's own write, on the replica once the step was confirmed")
                    .isEqualTo(1L);
        }
    }

    /**
     * A KB's registration is a durable step too: while the replica confirms nothing it is answered 503
     * REPLICATION_TIMEOUT, not as registered (a failover would lose it: on a Cluster no later step covers the registry's
     * shard), and registered once the replica confirms again.
     */
    @Test
    void shouldConfirmAKbsRegistrationOnAReplica() {
        try (Node node = Node.start(single(group.master().uri()), Node.durable("registers", Duration.ofMillis(500)))) {
            group.replica().pause();
            try {
                assertThatThrownBy(() -> node.register("unconfirmed"))
                        .as("registered with the replica paused")
                        .isInstanceOf(UnconfirmedWrite.class);
            } finally {
                group.replica().resume();
                group.awaitReplicaOnline();
            }
            node.register("unconfirmed");
        }
    }

    private static Config single(String uri) {
        Config config = new Config();
        config.useSingleServer().setAddress(uri);
        return config;
    }

    private static Config single(FaultProxy proxy) {
        Config config = new Config();
        config.useSingleServer().setAddress(proxy.uri());
        return config;
    }

    private static JobPayload note() {
        return new JobPayload.Note("a note", null, null);
    }
}
