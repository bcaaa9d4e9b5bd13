package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A retry that writes nothing is confirmed like the write it repeats. {@code WAIT} only covers the writes made on the
 * connection that sends it: on Redis 7.2 and later (and Valkey) up to the offset of that connection's last write, so a
 * durable step whose script finds its work already done (here an idempotency key's earlier job) would be "confirmed"
 * at once on a pooled connection that wrote nothing since the replica last acknowledged, and the client would get
 * {@code 202} for a job only the master has (a failover then loses it). Every durable step therefore writes a key of
 * its own after its script ({@link DurableStepAckIT}).
 *
 * <p>Once the replica has acknowledged all it was sent, replication to it is cut; a submit with an idempotency key is
 * stored on the master and refused ({@code 503 REPLICATION_TIMEOUT}); the same submit is then retried, several at once
 * so that they run on several of the pool's connections (Redisson hands out the connection used last first, so one
 * retry at a time runs on the one that wrote last), through a coordinator started after the cut and through the first
 * one. While no replica has the job, every retry must be refused (an answer must name a job the replica holds). On Redis 7.0, which the suites run, a connection's
 * offset moves with every command (the step's script included), so this passes with or without the step's own write;
 * it guards the later versions.
 */
@TimingSensitive
class UnconfirmedRetryIT {
    private static final KbId KB = KbId.of("retried");
    private static final Duration CALL = Duration.ofSeconds(10);
    private static final Duration WAIT = Duration.ofMillis(500);
    private static final Optional<String> KEY = Optional.of("retry-key-1");
    private static final int AT_ONCE = 8;
    private static final String JOBS = "kbsync:{kb:retried}:jobs";

    @Test
    void shouldRefuseIdempotentRetriesWhileNoReplicaHasTheirJob() {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicaLink(1);
                Node first = Node.start(Node.sentinels(group), Node.durable("first", WAIT))) {
            first.register(KB.value());
            throughTheLink(group);
            awaitReplicaCaughtUp(group.master().port());

            group.replicaLink().freeze(); // the replica stops hearing from the master
            assertThat(retries(first, 1))
                    .as("the first submit, stored on the master only")
                    .containsExactly(ErrorCodes.REPLICATION_TIMEOUT);
            try (Node second = Node.start(Node.sentinels(group), Node.durable("second", WAIT))) {
                List<String> through = retries(second, AT_ONCE);
                assertThat(unreplicated(group, through))
                        .as(
                                "retries through a coordinator started after the cut answered with a job no replica has"
                                        + " (all answers: %s)",
                                through)
                        .isEmpty();
                List<String> again = retries(first, AT_ONCE);
                assertThat(unreplicated(group, again))
                        .as(
                                "retries through the first coordinator answered with a job no replica has (all answers:"
                                        + " %s)",
                                again)
                        .isEmpty();
            }
        }
    }

    /**
     * Points the replica at the group's replication link again and waits until it replicates through it: the
     * Sentinels point it straight at the master within seconds of the group's start ({@code +fix-slave-config}), and
     * may do so again later, when the replica then gets the job and a retry is rightly answered (see {@link
     * #unreplicated}).
     */
    private static void throughTheLink(RedisSentinelGroup group) {
        int replica = group.replica().port();
        String link = Integer.toString(group.replicaLink().port());
        RespClient.once(replica, CALL, "REPLICAOF", "127.0.0.1", link);
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            Object info = RespClient.once(replica, CALL, "INFO", "replication");
            return RespClient.infoField(info, "master_port").equals(Optional.of(link))
                    && RespClient.infoField(info, "master_link_status").equals(Optional.of("up"));
        });
    }

    /** The answers of {@code outcomes} that name a job the replica does not hold. */
    private static List<String> unreplicated(RedisSentinelGroup group, List<String> outcomes) {
        List<String> missing = new ArrayList<>();
        for (String outcome : outcomes) {
            if (outcome.startsWith("job ")) {
                String id = outcome.substring("job ".length());
                String ticket = id.substring(id.indexOf('~') + 1);
                Object held = RespClient.once(group.replica().port(), CALL, "HEXISTS", JOBS, ticket);
                if (!Long.valueOf(1).equals(held)) {
                    missing.add(outcome);
                }
            }
        }
        return missing;
    }

    /**
     * Waits until the replica acknowledged everything the master had written so far: the connections that wrote
     * before the cut then count as confirmed, as in a deployment whose replica only just fell behind.
     */
    private static void awaitReplicaCaughtUp(int master) {
        long written = offset(master, "master_repl_offset:");
        await().atMost(Duration.ofSeconds(10)).until(() -> offset(master, ",offset=") >= written);
    }

    private static long offset(int master, String field) {
        String info = String.valueOf(RespClient.once(master, CALL, "INFO", "replication"));
        int at = info.indexOf(field);
        assertThat(at).as("%s in %s", field, info).isNotNegative();
        int start = at + field.length();
        int end = start;
        while (end < info.length() && Character.isDigit(info.charAt(end))) {
            end++;
        }
        return Long.parseLong(info.substring(start, end));
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }

    /** {@code n} submits of the same note with the same key, all at once: each one's error code, or its job's id. */
    private static List<String> retries(Node node, int n) {
        List<Future<Job>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(node.jobs().submit(KB, "ann", note("the retried note"), KEY));
        }
        List<String> outcomes = new ArrayList<>();
        for (Future<Job> submit : sent) {
            try {
                outcomes.add("job " + Node.get(submit, CALL).id());
            } catch (UnavailableException e) {
                outcomes.add(e.code());
            }
        }
        return outcomes;
    }
}
