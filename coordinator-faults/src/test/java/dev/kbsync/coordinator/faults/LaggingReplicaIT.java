package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledged means durable: replication to both replicas is cut off (the master still runs and answers), jobs are
 * submitted and leases granted, then the master is SIGKILLed and Sentinel promotes a replica, which never saw those
 * writes. Every job and grant the coordinator acknowledged must still exist after the failover, and no fencing token
 * or lease id it handed out may be handed out again (checked once the other replica follows the new master: until a
 * replica confirms them, writes that create jobs and grants are refused).
 */
@TimingSensitive
class LaggingReplicaIT {
    private static final Logger LOG = LoggerFactory.getLogger(LaggingReplicaIT.class);
    private static final Duration CALL = Duration.ofSeconds(15);
    private static final KbId JOBS = KbId.of("durable");
    private static final KbId LEASES = KbId.of("fenced");

    @Test
    void shouldLoseNoAcknowledgedJobAndReuseNoTokenOrLeaseIdWhenTheLaggingReplicaTakesOver() {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicaLink(2);
                Node node = Node.start(Node.sentinels(group), Node.durable("lag", Duration.ofMillis(500)))) {
            node.register(JOBS.value(), LEASES.value());
            List<String> acknowledgedJobs = new ArrayList<>();
            List<Lease> acknowledgedGrants = new ArrayList<>();
            submit(node, "before the cut", acknowledgedJobs);
            grant(node, "before", acknowledgedGrants);

            group.replicaLink().freeze(); // the replica stops hearing from the master
            int refused = 0;
            for (int i = 0; i < 3; i++) {
                refused += submit(node, "during the cut " + i, acknowledgedJobs) ? 0 : 1;
                refused += grant(node, "during-" + i, acknowledgedGrants) ? 0 : 1;
            }
            group.killMaster();
            group.awaitFailover();
            List<String> lost =
                    acknowledgedJobs.stream().filter(id -> !exists(node, id)).toList();
            group.awaitReplicaOnline(); // the other replica follows the promoted one
            int before = acknowledgedGrants.size();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> grant(node, "after", acknowledgedGrants) && acknowledgedGrants.size() >= before + 3);
            AtomicInteger refusedPolls = new AtomicInteger();
            Optional<Assignment> polled =
                    await().atMost(Duration.ofSeconds(30)).until(() -> poll(node, refusedPolls), Optional::isPresent);
            LOG.info(
                    "{} jobs and {} grants acknowledged, {} writes refused during the cut; {} jobs lost",
                    acknowledgedJobs.size(),
                    acknowledgedGrants.size(),
                    refused,
                    lost.size());

            assertThat(lost).as("acknowledged jobs missing after the failover").isEmpty();
            assertThat(polled.get().job().attempts())
                    .as(
                            "attempts of the job polled after the failover: %d claims answered 503 REPLICATION_TIMEOUT"
                                    + " were taken back, not counted",
                            refusedPolls.get())
                    .isEqualTo(1);
            List<Long> tokens =
                    acknowledgedGrants.stream().map(Lease::fencingToken).toList();
            assertThat(tokens)
                    .as("fencing tokens of acknowledged grants, in grant order")
                    .isSorted();
            assertThat(new HashSet<>(tokens)).hasSameSizeAs(tokens);
            Set<String> ids = new HashSet<>();
            acknowledgedGrants.forEach(l -> assertThat(ids.add(l.id()))
                    .as("lease id " + l.id() + " handed out once")
                    .isTrue());
        }
    }

    /** Submits a job; true if the coordinator acknowledged it (its id is then recorded). */
    private static boolean submit(Node node, String text, List<String> acknowledged) {
        try {
            Job job = Node.get(
                    node.jobs().submit(JOBS, "ann", new JobPayload.Note(text, null, null), Optional.empty()), CALL);
            acknowledged.add(job.id());
            return true;
        } catch (RuntimeException refused) {
            LOG.info("submit refused: {}", refused.toString());
            return false;
        }
    }

    /** Takes and releases a lease; true if the coordinator acknowledged the grant (it is then recorded). */
    private static boolean grant(Node node, String holder, List<Lease> acknowledged) {
        try {
            Lease lease = Node.get(node.leases().request(LEASES, holder, Duration.ofSeconds(5)), CALL);
            boolean granted = lease.state() == LeaseState.GRANTED; // else queued behind a refused grant
            if (granted) {
                acknowledged.add(lease);
            }
            Node.get(node.leases().release(lease.id()), CALL);
            return granted;
        } catch (RuntimeException refused) {
            LOG.info("grant refused: {}", refused.toString());
            return false;
        }
    }

    /**
     * One poll, as a worker makes it: a 503 (a claim whose replica confirmation timed out, seen under load right after
     * the other replica came online) is polled again, not a failure. The coordinator takes such a claim back at once
     * and does not count it as an attempt: before, when the replica once stayed behind for 5 s, six claims in a row
     * were refused and the job FAILED after its 3 attempts.
     */
    private static Optional<Assignment> poll(Node node, AtomicInteger refused) {
        try {
            return Node.get(node.jobs().poll("w", Duration.ofSeconds(5)), CALL);
        } catch (UnavailableException e) {
            refused.incrementAndGet();
            LOG.info("poll refused: {}", e.toString());
            return Optional.empty();
        }
    }

    private static boolean exists(Node node, String jobId) {
        try {
            Node.get(node.jobs().get(jobId), CALL);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
