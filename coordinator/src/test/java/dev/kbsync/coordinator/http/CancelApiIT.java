package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.DELETE;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.api.event.JobEvent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code DELETE /v1/jobs/{id}} on the real engine: a queued job ends cancelled and never lands, the queue behind it
 * moves up at once, its watchers get the final event; a job a worker took, an ended job, another token's job are
 * refused; a cancel racing with a worker's claim is decided by one script step (one of them wins, never both).
 */
class CancelApiIT {
    static final String OTHER_CLIENT = "client-token-00000002";

    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of(
            "KBSYNC_LEASE_TTL_SECONDS",
            "10",
            "KBSYNC_RATE_LIMIT_SUBMISSIONS",
            "1000",
            "KBSYNC_TOKENS",
            "admin:" + ADMIN + ",worker:" + WORKER + ",client:" + CLIENT + ",client:" + OTHER_CLIENT));

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void shouldCancelAQueuedJobMoveTheQueueUpAndNeverLandIt() {
        api.kb("cancel-a");
        KbId kb = KbId.of("cancel-a");
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job running = client.submitNote(kb, NoteRequest.of("alice", "first"));
        Assignment taken = worker.poll("w-1", WAIT).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(running.id());
        Job doomed = client.submitNote(kb, NoteRequest.of("bob", "second"));
        Job behind = client.submitNote(kb, NoteRequest.of("carol", "third"));
        assertThat(behind.ahead()).isEqualTo(2);

        try (EventStream<JobEvent> doomedEvents = client.jobEvents(doomed.id());
                EventStream<JobEvent> behindEvents = client.jobEvents(behind.id())) {
            assertThat(doomedEvents.next(WAIT).job().state()).isEqualTo(JobState.QUEUED);
            assertThat(behindEvents.next(WAIT).job().ahead()).isEqualTo(2);

            Job cancelled = client.cancel(doomed.id());

            assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
            assertThat(cancelled.finishedAt()).isNotNull();
            JobEvent last = doomedEvents.next(WAIT);
            assertThat(last.job().state()).isEqualTo(JobState.CANCELLED);
            assertThat(last.last()).isTrue();
            JobEvent moved = behindEvents.next(WAIT);
            assertThat(moved).isInstanceOf(JobEvent.Position.class);
            assertThat(moved.job().ahead()).isEqualTo(1);
        }
        assertThat(client.job(behind.id()).ahead()).isEqualTo(1);
        assertThat(client.job(doomed.id()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(client.recentJobs(kb).jobs()).extracting(Job::id).contains(doomed.id());

        assertError(api.call(DELETE, "/v1/jobs/" + running.id(), CLIENT), 409, "JOB_RUNNING");
        assertError(api.call(DELETE, "/v1/jobs/" + doomed.id(), CLIENT), 409, "JOB_ENDED");
        worker.reportResult(
                running.id(),
                new JobOutcome.Done(taken.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
        assertThat(worker.poll("w-1", WAIT).orElseThrow().job().id())
                .as("the job behind the cancelled one is next")
                .isEqualTo(behind.id());
    }

    @Test
    void shouldCancelAGrantedJobNoWorkerTookAndGrantTheNext() {
        api.kb("cancel-b");
        KbId kb = KbId.of("cancel-b");
        KbsyncClient client = api.client(CLIENT);
        Job granted = client.submitNote(kb, NoteRequest.of("alice", "granted at once on a free KB"));
        Job next = client.submitNote(kb, NoteRequest.of("bob", "next"));

        assertThat(client.cancel(granted.id()).state()).isEqualTo(JobState.CANCELLED);

        Assignment a = api.client(WORKER).poll("w-2", WAIT).orElseThrow();
        assertThat(a.job().id()).isEqualTo(next.id());
        assertThat(client.job(granted.id()).state()).isEqualTo(JobState.CANCELLED);
    }

    /**
     * A job its worker gave back unrun may be cancelled: the give-back ended the worker's lease at once, before any
     * cancel, so a worker that runs it anyway (its give-back's answer was lost) is told LEASE_LOST by its heartbeats and
     * pre-push check and never pushes it. Before, the old lease held until the cancel ended the grant: a pre-push check
     * made just before the cancel let that push land a cancelled job.
     */
    @Test
    void shouldCancelAJobGivenBackUnrunWhoseOldLeaseNoLongerHolds() {
        api.kb("cancel-given-back");
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        Job job = client.submitNote(KbId.of("cancel-given-back"), NoteRequest.of("alice", "given back"));
        Assignment taken = worker.poll("w-back", WAIT).orElseThrow();
        assertThat(taken.job().id()).isEqualTo(job.id());
        assertThat(worker.giveBack("w-back", taken.lease().id())).isTrue();
        assertError(api.call(POST, "/v1/leases/" + taken.lease().id() + "/heartbeat", WORKER), 409, "LEASE_LOST");

        assertThat(client.cancel(job.id()).state()).isEqualTo(JobState.CANCELLED);

        assertThat(client.job(job.id()).state()).isEqualTo(JobState.CANCELLED);
        assertThat(worker.poll("w-back", Duration.ofMillis(500)))
                .as("never handed out again")
                .isEmpty();
    }

    @Test
    void shouldLetOnlyTheSubmittingTokenOrAnAdminCancel() {
        api.kb("cancel-c");
        KbsyncClient client = api.client(CLIENT);
        String id = client.submitNote(KbId.of("cancel-c"), NoteRequest.of("alice", "mine"))
                .id();

        assertError(api.call(DELETE, "/v1/jobs/" + id, OTHER_CLIENT), 403, "NOT_SUBMITTER");
        assertError(api.call(DELETE, "/v1/jobs/" + id, WORKER), 403, "FORBIDDEN");
        assertError(api.call(DELETE, "/v1/jobs/" + id, null), 401, "UNAUTHENTICATED");
        assertError(api.call(DELETE, "/v1/jobs/cancel-c~nope", CLIENT), 404, "JOB_NOT_FOUND");
        assertError(api.call(DELETE, "/v1/jobs/bad%20id", CLIENT), 400, "INVALID_JOB_ID");
        assertThat(client.job(id).state()).as("refusals change nothing").isEqualTo(JobState.QUEUED);
        HttpResponse<Buffer> byAdmin = api.call(DELETE, "/v1/jobs/" + id, ADMIN);
        assertThat(byAdmin.statusCode()).isEqualTo(200);
        assertThat(byAdmin.bodyAsJsonObject().getString("state")).isEqualTo("cancelled");
    }

    @Test
    void shouldDecideACancelRacingWithAClaimInOneStep() {
        KbsyncClient client = api.client(CLIENT);
        KbsyncClient worker = api.client(WORKER);
        for (int round = 0; round < 20; round++) {
            String name = "race-" + round;
            api.kb(name);
            Job job = client.submitNote(KbId.of(name), NoteRequest.of("alice", "race " + round));
            Future<Optional<Assignment>> poll = worker.async().poll("w-race", Duration.ofMillis(300));
            Future<Job> cancel = client.async().cancel(job.id());
            Optional<Assignment> claimed = poll.await();
            boolean cancelledIt = cancel.transform(ar -> Future.succeededFuture(ar.succeeded()))
                    .await();
            Job after = client.job(job.id());
            if (cancelledIt) {
                assertThat(after.state()).isEqualTo(JobState.CANCELLED);
                assertThat(claimed)
                        .as("round " + round + ": a cancelled job is never handed out")
                        .isEmpty();
            } else {
                assertThat(cancel.cause())
                        .isInstanceOfSatisfying(
                                KbsyncException.class, e -> assertThat(e.code()).isEqualTo("JOB_RUNNING"));
                assertThat(claimed).isPresent();
                assertThat(after.state()).isEqualTo(JobState.RUNNING);
                Assignment a = claimed.get();
                worker.reportResult(
                        job.id(),
                        new JobOutcome.Done(a.lease().id(), "c0ffee0000000000000000000000000000000000", List.of(), 0));
            }
        }
    }
}
