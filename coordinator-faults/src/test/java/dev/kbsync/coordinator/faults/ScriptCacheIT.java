package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A master whose script cache is empty although the engine ran its scripts before: what a replica promoted by a
 * failover looks like (Redis does not replicate its script cache). Writes that wait for a replica (jobs, grants) must
 * load their script again instead of failing with NOSCRIPT (a 500 at the HTTP layer).
 */
@TimingSensitive
class ScriptCacheIT {
    private static final Duration CALL = Duration.ofSeconds(15);
    private static final KbId KB = KbId.of("flushed");

    @Test
    void shouldRunDurableWritesOnAMasterThatLostItsScriptCache() {
        try (RedisSentinelGroup group = RedisSentinelGroup.start();
                Node node = Node.start(Node.sentinels(group), Node.durable("flush", Duration.ofMillis(2000)))) {
            node.register(KB.value());
            submit(node, "before the flush");
            Lease first = Node.get(node.leases().request(KB, "a", Duration.ofSeconds(5)), CALL);
            Node.get(node.leases().release(first.id()), CALL);

            RespClient.once(group.master().port(), Duration.ofSeconds(2), "SCRIPT", "FLUSH");

            Job job = submit(node, "after the flush");
            Lease lease = Node.get(node.leases().request(KB, "b", Duration.ofSeconds(5)), CALL);
            assertThat(job.id()).isNotBlank();
            assertThat(lease.state()).isIn(LeaseState.GRANTED, LeaseState.WAITING);
            assertThat(Node.get(node.jobs().get(job.id()), CALL).id()).isEqualTo(job.id());
        }
    }

    private static Job submit(Node node, String text) {
        return Node.get(node.jobs().submit(KB, "ann", new JobPayload.Note(text, null, null), Optional.empty()), CALL);
    }
}
