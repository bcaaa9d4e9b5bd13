package dev.kbsync.coordinator.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.testing.RedisSentinelGroup;
import dev.kbsync.testing.TimingSensitive;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A claim that Redis made on the master but did not confirm on a replica in time is answered 503 REPLICATION_TIMEOUT:
 * its worker never learns of it. The coordinator takes it back at once, so the job is handed to the next poll without
 * waiting for the grant's TTL, and the attempt it counted is returned: a lagging replica does not use up a job's
 * attempts (before, three such claims in a row failed the job, LEASE_EXPIRED, without a worker ever running it).
 */
@TimingSensitive
class UnconfirmedClaimIT {
    private static final KbId KB = KbId.of("unconfirmed");
    private static final Duration CALL = Duration.ofSeconds(10);

    @Test
    void shouldHandTheJobToTheNextPollOnItsFirstAttemptAfterAClaimThatNoReplicaConfirmed() {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicas(1);
                Node node = Node.start(Node.sentinels(group), Node.durable("unconfirmed", Duration.ofMillis(300)))) {
            node.register(KB.value());
            Job job = Node.get(
                    node.jobs().submit(KB, "ann", new JobPayload.Note("a note", null, null), Optional.empty()), CALL);

            group.replica().pause(); // the master's writes reach no replica now
            try {
                assertThatThrownBy(() -> Node.get(node.jobs().poll("w", Duration.ofSeconds(2)), CALL))
                        .isInstanceOfSatisfying(
                                UnavailableException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCodes.REPLICATION_TIMEOUT));
            } finally {
                group.replica().resume();
            }

            // well inside the job's 1.5 s lease TTL: the grant the refused claim took is free again
            Optional<Assignment> polled = pollForASecond(node);
            assertThat(polled)
                    .as("the job, polled within 1 s of the replica's return")
                    .isPresent();
            assertThat(polled.get().job().id()).isEqualTo(job.id());
            assertThat(polled.get().job().attempts())
                    .as("attempts: the claims answered 503 are not counted")
                    .isEqualTo(1);
        }
    }

    /**
     * The same for a group commit: notes taken along by an extend that no replica confirmed (answered 503, so the
     * worker never learned of them) are given back at once. The head alone is then reported done and the KB goes on:
     * the next note is handed out without waiting for the grant's TTL, on its first attempt (before, the grant stayed
     * held with the notes in its batch until it lapsed, and each of them lost an attempt no worker ran).
     */
    @Test
    void shouldGiveBackTheNotesOfAGroupCommitThatNoReplicaConfirmed() {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicas(1);
                Node node = Node.start(Node.sentinels(group), Node.durable("unconfirmed", Duration.ofMillis(300)))) {
            node.register(KB.value());
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                jobs.add(Node.get(
                        node.jobs().submit(KB, "ann", new JobPayload.Note("note " + i, null, null), Optional.empty()),
                        CALL));
            }
            Assignment head =
                    Node.get(node.jobs().poll("w", Duration.ofSeconds(2)), CALL).orElseThrow();
            assertThat(head.job().id()).isEqualTo(jobs.get(0).id());

            group.replica().pause(); // the master's writes reach no replica now
            try {
                assertThatThrownBy(
                                () -> Node.get(node.jobs().extend(head.lease().id(), 2), CALL))
                        .isInstanceOfSatisfying(
                                UnavailableException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCodes.REPLICATION_TIMEOUT));
            } finally {
                group.replica().resume();
            }
            // the worker gives up on the batch and lands its head alone
            Job done = null;
            long resumed = System.nanoTime();
            while (done == null
                    && System.nanoTime() - resumed < Duration.ofSeconds(1).toNanos()) {
                try {
                    done = Node.get(
                            node.jobs()
                                    .complete(
                                            head.job().id(),
                                            new JobOutcome.Done(head.lease().id(), "c0ffee", List.of(), 0)),
                            CALL);
                } catch (UnavailableException replicaCatchingUp) {
                    // the replica is back, its link may not be yet: the report is retried, as a worker does
                }
            }
            assertThat(done).as("the head's report, taken").isNotNull();

            Optional<Assignment> next = pollForASecond(node);
            assertThat(next)
                    .as("the next note, polled within 1 s of the head's report")
                    .isPresent();
            assertThat(next.get().job().id()).isEqualTo(jobs.get(1).id());
            assertThat(next.get().job().attempts())
                    .as("attempts: the extend answered 503 took nothing for good")
                    .isEqualTo(1);
        }
    }

    /**
     * But not notes another answer told the worker of: while one coordinator's extend waits for a replica, the worker's
     * retry through another coordinator (one that waits for none here) is answered with the same notes. The first
     * step's take-back then leaves them: they stay the worker's, and their reports are taken.
     */
    @Test
    void shouldNotGiveBackNotesThatARetryThroughAnotherCoordinatorToldTheWorkerOf() throws Exception {
        try (RedisSentinelGroup group = RedisSentinelGroup.startWithReplicas(1);
                Node waiting = Node.start(Node.sentinels(group), Node.durable("waiting", Duration.ofMillis(600)));
                Node other = Node.start(
                        Node.sentinels(group),
                        Node.config("other")
                                .withDurability(new EngineConfig.Durability(0, Duration.ofSeconds(1), false)))) {
            waiting.register(KB.value());
            List<Job> jobs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                jobs.add(Node.get(
                        waiting.jobs()
                                .submit(KB, "ann", new JobPayload.Note("note " + i, null, null), Optional.empty()),
                        CALL));
            }
            Assignment head = Node.get(waiting.jobs().poll("w", Duration.ofSeconds(2)), CALL)
                    .orElseThrow();

            group.replica().pause();
            List<Assignment> told;
            try {
                var first = waiting.jobs().extend(head.lease().id(), 2); // waits for the replica, then 503
                Thread.sleep(100);
                told = Node.get(other.jobs().extend(head.lease().id(), 2), CALL); // the retry, answered
                assertThat(told).hasSize(2);
                assertThatThrownBy(() -> Node.get(first, CALL))
                        .isInstanceOfSatisfying(
                                UnavailableException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCodes.REPLICATION_TIMEOUT));
            } finally {
                group.replica().resume();
            }
            // the worker keeps its grant alive, as it does while it runs the batch (the lease TTL is 1.5 s here)
            Node.get(other.leases().heartbeat(head.lease().id()), CALL);

            for (Assignment member : told) {
                Job done = Node.get(
                        other.jobs()
                                .complete(
                                        member.job().id(),
                                        new JobOutcome.Done(member.lease().id(), "c0ffee", List.of(), 0)),
                        CALL);
                assertThat(done.state())
                        .as("a note the worker was told of stays its own")
                        .isEqualTo(JobState.DONE);
            }
        }
    }

    /**
     * Polls as worker {@code w} for up to a second; a poll answered 503 (the replica is back, its link may not be yet)
     * is polled again, its claim taken back too.
     */
    private static Optional<Assignment> pollForASecond(Node node) {
        long started = System.nanoTime();
        Optional<Assignment> polled = Optional.empty();
        while (polled.isEmpty()
                && System.nanoTime() - started < Duration.ofSeconds(1).toNanos()) {
            try {
                polled = Node.get(node.jobs().poll("w", Duration.ofMillis(200)), CALL);
            } catch (UnavailableException replicaCatchingUp) {
                // polled again
            }
        }
        return polled;
    }
}
