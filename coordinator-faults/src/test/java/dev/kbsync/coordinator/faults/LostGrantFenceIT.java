package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A grant that no replica confirmed, revealed anyway: with replication cut off, the sweep ends an expired grant and
 * grants the KB to the next waiter (a sweep does not wait for replicas), whose heartbeat tells it its fencing token.
 * The master is then SIGKILLed and Sentinel promotes a replica that never saw that grant nor its {@code INCR}. The
 * next grant on the promoted master must carry a token strictly greater than every token any client was told.
 */
@TimingSensitive
class LostGrantFenceIT {
    private static final Logger LOG = LoggerFactory.getLogger(LostGrantFenceIT.class);
    private static final Duration CALL = Duration.ofSeconds(15);
    private static final KbId KB = KbId.of("swept");

    @Test
    void shouldIssueATokenAboveEveryRevealedTokenAfterAFailoverThatLostASweptGrant() {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicaLink(2);
                Node node = Node.start(Node.sentinels(group), Node.durable("lost-grant", Duration.ofMillis(500)))) {
            node.register(KB.value());
            List<Long> told = new ArrayList<>();
            // 3 s: with 1 s, a loaded machine once took longer than that to ask for the second lease, which was then
            // granted at once instead of queued
            Lease first = Node.get(node.leases().request(KB, "first", Duration.ofSeconds(3)), CALL);
            assertThat(first.state()).isEqualTo(LeaseState.GRANTED);
            told.add(first.fencingToken());
            Lease second = Node.get(node.leases().request(KB, "second", Duration.ofSeconds(10)), CALL);
            assertThat(second.state()).isEqualTo(LeaseState.WAITING);

            group.replicaLink().freeze(); // the replicas stop hearing from the master
            // first never heartbeats: its grant expires and the sweep grants the KB to second, which learns its token
            AtomicReference<Lease> swept = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        Lease seen = Node.get(node.leases().heartbeat(second.id()), CALL);
                        swept.set(seen);
                        return seen.state() == LeaseState.GRANTED;
                    });
            told.add(swept.get().fencingToken());

            group.killMaster();
            group.awaitFailover();
            group.awaitReplicaOnline(); // grants are confirmed again once the other replica follows the promoted one
            try {
                Node.get(node.leases().release(second.id()), CALL);
            } catch (RuntimeException gone) {
                LOG.info("release of the swept grant after the failover: {}", gone.toString());
            }
            AtomicReference<Lease> next = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        try {
                            Lease lease = Node.get(node.leases().request(KB, "next", Duration.ofSeconds(5)), CALL);
                            Node.get(node.leases().release(lease.id()), CALL);
                            if (lease.state() == LeaseState.GRANTED) {
                                next.set(lease);
                                return true;
                            }
                        } catch (RuntimeException refused) {
                            LOG.info("grant after the failover refused: {}", refused.toString());
                        }
                        return false;
                    });
            LOG.info(
                    "tokens told before the failover {}, first token after it {}",
                    told,
                    next.get().fencingToken());

            assertThat(told).as("tokens told before the failover").isSorted().doesNotHaveDuplicates();
            assertThat(next.get().fencingToken())
                    .as("first token after the failover, against every token told before it " + told)
                    .isGreaterThan(told.get(told.size() - 1));
        }
    }
}
