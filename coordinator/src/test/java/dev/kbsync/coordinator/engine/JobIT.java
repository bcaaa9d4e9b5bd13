package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Restoration;
import dev.kbsync.coordinator.service.Submission;
import dev.kbsync.testing.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.client.codec.StringCodec;

class JobIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    static Coordinators coordinators;
    static JobService jobs;
    static LeaseService leases;

    @BeforeAll
    static void start() {
        coordinators = new Coordinators(redis);
        Engine engine = coordinators.start(Coordinators.config("c1").withLeaseTtl(Duration.ofSeconds(3)));
        coordinators.register(
                engine,
                "persist",
                "idem",
                "docs",
                "other",
                "retry",
                "events",
                "beat",
                "restore",
                "restore-granted",
                "lost-worker",
                "released-worker",
                "handed-out");
        jobs = engine.services().jobs();
        leases = engine.services().leases();
    }

    @AfterAll
    static void stop() {
        coordinators.close();
    }

    @Test
    void shouldPersistJobBeforeSubmitCompletes() {
        Job job = await(jobs.submit(KbId.of("persist"), "ann", note("hello"), Optional.empty()));

        Map<String, String> jobs = coordinators
                .clientOf(0)
                .<String, String>getMap("kbsync:{kb:persist}:jobs", StringCodec.INSTANCE)
                .readAllMap();
        assertThat(jobs).hasSize(1);
        assertThat(jobs.values().iterator().next()).contains("hello", job.id());
        assertThat(job.id()).matches("persist~[0-9a-f]{24}").matches("[A-Za-z0-9._:~-]{1,128}");
        drain();
    }

    @Test
    void shouldReturnSameJobForSameIdempotencyKey() {
        KbId kb = KbId.of("idem");
        Job first = await(jobs.submit(kb, "ann", note("once"), Optional.of("key-1")));
        Job again = await(jobs.submit(kb, "ann", note("once"), Optional.of("key-1")));
        Job otherUser = await(jobs.submit(kb, "bob", note("once"), Optional.of("key-1")));

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(otherUser.id()).isNotEqualTo(first.id());
        assertThatThrownBy(() -> await(jobs.submit(kb, "ann", note("different"), Optional.of("key-1"))))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("IDEMPOTENCY_MISMATCH"));
        drain();
    }

    @Test
    void shouldHandOutOnlyGrantedJobsAndTheNextAfterCompletion() {
        Job first = await(jobs.submit(KbId.of("docs"), "ann", note("one"), Optional.empty()));
        Job second = await(jobs.submit(KbId.of("docs"), "ann", note("two"), Optional.empty()));
        Job elsewhere = await(jobs.submit(KbId.of("other"), "bob", note("three"), Optional.empty()));
        assertThat(second.ahead()).isEqualTo(1);

        Assignment a = poll();
        Assignment b = poll();
        assertThat(Set.of(a.job().id(), b.job().id())).containsExactlyInAnyOrder(first.id(), elsewhere.id());
        assertThat(await(jobs.poll("w3", Duration.ofMillis(500)))).isEmpty();

        Assignment onDocs = a.job().id().equals(first.id()) ? a : b;
        assertThat(onDocs.job().state()).isEqualTo(JobState.RUNNING);
        assertThat(onDocs.kb().id()).isEqualTo(KbId.of("docs"));
        Job done = await(jobs.complete(first.id(), done(onDocs)));
        assertThat(done.state()).isEqualTo(JobState.DONE);
        assertThat(done.commit()).isEqualTo("abc123");
        assertThat(done.commitUrl()).isEqualTo("https://github.com/acme/docs/commit/abc123");
        assertThat(await(jobs.get(first.id())).commitUrl()).isEqualTo(done.commitUrl());
        assertThat(done.files()).hasSize(1);

        Assignment next = poll();
        assertThat(next.job().id()).isEqualTo(second.id());
        assertThat(next.lease().fencingToken()).isGreaterThan(onDocs.lease().fencingToken());
        Assignment elsewhereRun = a == onDocs ? b : a;
        JobError error = new JobError("PUSH_REJECTED", "gave up");
        assertThat(await(jobs.complete(
                                elsewhere.id(),
                                new JobOutcome.Failed(elsewhereRun.lease().id(), error, 3)))
                        .state())
                .isEqualTo(JobState.FAILED);
        await(jobs.complete(second.id(), done(next)));
    }

    @Test
    void shouldPublishPositionsAndStatesOfAJob() {
        KbId kb = KbId.of("events");
        Job first = await(jobs.submit(kb, "ann", note("first"), Optional.empty()));
        Job second = await(jobs.submit(kb, "ann", note("second"), Optional.empty()));
        List<JobEvent> events = new CopyOnWriteArrayList<>();
        List<SnapshotEvent> views = new CopyOnWriteArrayList<>();
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<SnapshotEvent>consumer(QueueAddresses.kb(kb), m -> views.add(m.body()))
                .completion());
        coordinators.node(0).engine().services().queues().watchers().kb(kb);
        await(coordinators
                .node(0)
                .vertx()
                .eventBus()
                .<JobEvent>consumer(QueueAddresses.job(second.id()), m -> events.add(m.body()))
                .completion());
        // the watch's first view holds both jobs queued: a job first seen already running gets a position event
        await().atMost(Duration.ofSeconds(10)).until(() -> !views.isEmpty());

        Assignment a = poll();
        assertThat(a.job().id()).isEqualTo(first.id());
        await(jobs.complete(first.id(), done(a)));
        Assignment b = poll();
        sleep(300); // a job that runs a while shows running (one that finishes at once may go queued -> done)
        await(jobs.complete(second.id(), done(b)));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(events)
                        .extracting(e -> e.name() + " "
                                + e.job().state().wire() + " "
                                + e.job().ahead())
                        .containsSubsequence("state running 0", "state done 0")
                        .allMatch(e -> !e.startsWith("position")
                                || e.equals("position queued 0")
                                || e.equals("position queued 1")));
    }

    @Test
    void shouldReturnSilentWorkersJobToHeadOfQueueAndRejectItsStaleLease() {
        KbId kb = KbId.of("retry");
        Job job = await(jobs.submit(kb, "ann", note("retry me"), Optional.empty()));
        Job behind = await(jobs.submit(kb, "ann", note("behind"), Optional.empty()));
        Assignment silent = poll();
        assertThat(silent.job().id()).isEqualTo(job.id());

        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(await(jobs.get(job.id())).state()).isEqualTo(JobState.QUEUED));
        assertThat(await(jobs.get(behind.id())).ahead()).isEqualTo(1);

        Assignment retry = poll();
        assertThat(retry.job().id()).isEqualTo(job.id());
        assertThat(retry.job().attempts()).isEqualTo(2);
        assertThat(retry.lease().fencingToken()).isGreaterThan(silent.lease().fencingToken());
        assertThatThrownBy(() -> await(jobs.complete(job.id(), done(silent))))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("LEASE_LOST"));
        assertThat(await(jobs.complete(job.id(), done(retry))).attempts()).isEqualTo(2);
        await(jobs.complete(behind.id(), done(poll())));
    }

    /**
     * A job whose worker went silent goes back to the queue, but that worker may have pushed it before it stopped (the
     * job's next run finds its commit by its trailers and records it done): a cancel then would end it "cancelled,
     * never lands" while it is on the remote. Refused like a running job's; the job runs to its outcome.
     */
    @Test
    void shouldRefuseToCancelAJobAWorkerHadThatWentBackToTheQueue() {
        Job job = await(jobs.submit(KbId.of("lost-worker"), "ann", note("maybe pushed"), Optional.empty()));
        Assignment silent = poll();
        assertThat(silent.job().id()).isEqualTo(job.id());
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(
                        () -> assertThat(await(jobs.get(job.id())).state()).isEqualTo(JobState.QUEUED));

        assertCancelRefusedAndRunsToItsEnd(job);
    }

    /**
     * A running job whose lease is released (an admin's force-release of a stuck KB, or the lease API) goes back to
     * the queue with its attempt returned; its worker may have pushed before it hung, so it is not cancellable either.
     */
    @Test
    void shouldRefuseToCancelAJobWhoseRunningLeaseWasReleased() {
        Job job = await(jobs.submit(KbId.of("released-worker"), "ann", note("maybe pushed"), Optional.empty()));
        Assignment stuck = poll();
        assertThat(stuck.job().id()).isEqualTo(job.id());
        await(leases.release(stuck.lease().id()));
        assertThat(await(jobs.get(job.id())).state()).isEqualTo(JobState.QUEUED);

        assertCancelRefusedAndRunsToItsEnd(job);
    }

    /**
     * A journal job a degraded coordinator handed to a worker during the outage, restored into Redis not known to have
     * landed: that worker may have pushed it, so it runs to its outcome (its run finds the commit) rather than cancel.
     */
    @Test
    void shouldRefuseToCancelAJournalJobHandedOutDuringTheOutage() {
        KbId kb = KbId.of("handed-out");
        Job accepted = Coordinators.journaled(kb, "ann", note("handed out locally"));
        await(jobs.restore(accepted, Optional.empty(), "", Restoration.handedOut(42)));

        assertCancelRefusedAndRunsToItsEnd(accepted);
    }

    /** A cancel of {@code job} is refused (409 JOB_RUNNING); the job's next poll runs it to its end. */
    private static void assertCancelRefusedAndRunsToItsEnd(Job job) {
        assertThatThrownBy(() -> await(jobs.cancel(job.id(), Optional.empty())))
                .isInstanceOfSatisfying(
                        ConflictException.class, e -> assertThat(e.code()).isEqualTo("JOB_RUNNING"));

        Assignment again = poll();
        assertThat(again.job().id()).as("it still runs").isEqualTo(job.id());
        assertThat(await(jobs.complete(job.id(), done(again))).state()).isEqualTo(JobState.DONE);
    }

    @Test
    void shouldKeepJobWithWorkerThatHeartbeatsPastItsTtl() {
        Job job = await(jobs.submit(KbId.of("beat"), "ann", note("slow"), Optional.empty()));
        Assignment running = poll();
        assertThat(running.job().id()).isEqualTo(job.id());
        long deadline = System.nanoTime() + Duration.ofMillis(4500).toNanos();

        while (System.nanoTime() < deadline) {
            assertThat(await(leases.heartbeat(running.lease().id())).state()).isEqualTo(LeaseState.GRANTED);
            sleep(500);
        }

        assertThat(await(jobs.get(job.id())).state()).isEqualTo(JobState.RUNNING);
        assertThat(await(jobs.complete(job.id(), done(running))).attempts()).isEqualTo(1);
    }

    @Test
    void shouldRejectUnknownKbAndUnknownJob() {
        assertThatThrownBy(() -> await(jobs.submit(KbId.of("nope"), "ann", note("x"), Optional.empty())))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("KB_NOT_FOUND"));
        assertThatThrownBy(() -> await(jobs.get("persist~0123")))
                .isInstanceOfSatisfying(
                        NotFoundException.class, e -> assertThat(e.code()).isEqualTo("JOB_NOT_FOUND"));
    }

    private static Assignment poll() {
        return await(jobs.poll("w", Duration.ofSeconds(10))).orElseThrow();
    }

    /** Runs every job still queued, so later tests see idle queues. */
    @Test
    void shouldRecordADegradedRunThatLandedAJobWhoseEarlierRestoreQueuedIt() {
        KbId kb = KbId.of("restore");
        var holder = await(leases.request(kb, "holder", Duration.ofSeconds(30))); // the job waits behind it
        Job accepted = Coordinators.journaled(kb, "ann", note("journaled"));
        // A first restore reached Redis, but its answer came too late: the job is still in the journal, and a
        // degraded run lands it under a local token before the next restore.
        await(jobs.restore(accepted, Optional.empty(), "", Restoration.queued()));
        JobOutcome.Done landed = new JobOutcome.Done(
                accepted.id() + ".42.n1",
                "c0ffee",
                "https://github.com/acme/docs/commit/c0ffee",
                List.of(new FileChange("notes/journaled.md", FileChange.Change.CREATED, null)),
                0,
                null);

        await(jobs.restore(accepted, Optional.empty(), "", Restoration.landed(42, landed, 42)));

        Job job = await(jobs.get(accepted.id()));
        assertThat(job.state())
                .as("landed by the degraded run: not to run again")
                .isEqualTo(JobState.DONE);
        assertThat(job.commit()).isEqualTo("c0ffee");
        await(leases.release(holder.id()));
        assertThat(await(jobs.poll("w", Duration.ofMillis(300)))).isEmpty();
    }

    @Test
    void shouldNotRunAnEarlierJobAgainWhenTheJournalJobRestoredOntoItsIdempotencyKeyLanded() {
        KbId kb = KbId.of("restore");
        var holder = await(leases.request(kb, "holder", Duration.ofSeconds(30))); // the jobs wait behind it
        // The first submit was stored in Redis but answered 503 (late); its retry with the same key went to a degraded
        // coordinator's journal as a job of its own, and a degraded run landed it before Redis came back.
        Job first = await(jobs.submit(kb, "ann", note("retried"), Optional.of("key-late")));
        Job journaled = Coordinators.journaled(kb, "ann", note("retried"));
        JobOutcome.Done landed = new JobOutcome.Done(
                journaled.id() + ".7.n1",
                "d00d",
                "https://github.com/acme/docs/commit/d00d",
                List.of(new FileChange("notes/retried.md", FileChange.Change.CREATED, null)),
                0,
                null);

        Job restored = await(jobs.restore(journaled, Optional.of("key-late"), "", Restoration.landed(7, landed, 7)));

        assertThat(restored.id()).as("the key's first job answers").isEqualTo(first.id());
        Job job = await(jobs.get(first.id()));
        assertThat(job.state())
                .as("the same request landed by the degraded run: the first job is not to run it again")
                .isEqualTo(JobState.DONE);
        assertThat(job.commit()).isEqualTo("d00d");
        await(leases.release(holder.id()));
        assertThat(await(jobs.poll("w", Duration.ofMillis(300)))).isEmpty();
    }

    /**
     * The key's first job was granted at once (its KB idle) and its worker had not claimed it yet when the journal job
     * carrying its request, landed by a degraded run, was restored onto it: the restore does not end a live grant, so
     * the first job may still run (its grant claimed late, or refused by the fence the degraded run left on the branch
     * and granted again). Its worker must then find the journal job's commit, not write the note a second time: the
     * job names the journal job among those it looks for, and its search reaches down to that job's first token.
     */
    @Test
    void shouldHaveAGrantedFirstJobLookForTheCommitOfTheJournalJobRestoredOntoIt() {
        KbId kb = KbId.of("restore-granted");
        Job first = await(jobs.submit(kb, "ann", note("granted first"), Optional.of("key-granted")));
        Job journaled = Coordinators.journaled(kb, "ann", note("granted first"));
        JobOutcome.Done landed = new JobOutcome.Done(
                journaled.id() + ".2.n1",
                "beef",
                "https://github.com/acme/docs/commit/beef",
                List.of(new FileChange("notes/granted-first.md", FileChange.Change.CREATED, null)),
                0,
                null);

        Job restored = await(jobs.restore(journaled, Optional.of("key-granted"), "", Restoration.landed(2, landed, 2)));

        assertThat(restored.id()).isEqualTo(first.id());
        Assignment a = poll();
        try {
            assertThat(a.job().id()).isEqualTo(first.id());
            assertThat(a.toJson().getJsonObject("job").getJsonArray("restoredFrom"))
                    .as("the journal job whose commit carries the same request")
                    .containsExactly(journaled.id());
            assertThat(a.job().firstFencingToken())
                    .as("the search reaches down to the degraded run's first token")
                    .isEqualTo(2L);
        } finally {
            await(jobs.complete(a.job().id(), done(a)));
        }
    }

    @Test
    void shouldAnswerAJournalJobsIdRestoredOntoItsKeysFirstJobWithThatJob() {
        KbId kb = KbId.of("restore");
        // The first submit was stored but answered late; its retry with the same key got a 202 from a degraded
        // coordinator's journal under an id of its own, which is all its caller knows.
        Job first = await(jobs.submit(kb, "bob", note("late answer"), Optional.of("key-alias")));
        Job journaled = Coordinators.journaled(kb, "bob", note("late answer"));

        Job restored = await(jobs.restore(journaled, Optional.of("key-alias"), "", Restoration.queued()));

        assertThat(restored.id()).isEqualTo(first.id());
        assertThat(await(jobs.get(journaled.id())).id())
                .as("the 202's id answers the job that carries its request")
                .isEqualTo(first.id());
        assertThat(await(jobs.cancel(journaled.id(), Optional.empty())).id())
                .as("and it cancels that job")
                .isEqualTo(first.id());
    }

    /**
     * A journal job carries no callback URL (a degraded coordinator refuses one), so its key's first job, submitted with
     * one before the outage and answered late, is still the same request: the restore answers that job, never a second
     * job without the key (which would land the note twice).
     */
    @Test
    void shouldRestoreAJournalJobOntoItsKeysFirstJobThatHasACallback() {
        KbId kb = KbId.of("restore");
        Job first = await(jobs.submit(new Submission(
                        kb,
                        "bob",
                        note("late answer, with a hook"),
                        Optional.of("key-hooked"),
                        "",
                        "https://hooks.example/done",
                        null,
                        false,
                        Optional.empty())))
                .job();
        Job journaled = Coordinators.journaled(kb, "bob", note("late answer, with a hook"));

        Job restored = await(jobs.restore(journaled, Optional.of("key-hooked"), "", Restoration.queued()));

        assertThat(restored.id()).as("restored onto the key's first job").isEqualTo(first.id());
    }

    private static void drain() {
        Optional<Assignment> next;
        while ((next = await(jobs.poll("drain", Duration.ofMillis(1500)))).isPresent()) {
            await(jobs.complete(next.get().job().id(), done(next.get())));
        }
    }

    private static JobOutcome done(Assignment assignment) {
        return new JobOutcome.Done(
                assignment.lease().id(),
                "abc123",
                "https://github.com/acme/docs/commit/abc123",
                List.of(new FileChange("notes/a.md", FileChange.Change.CREATED, null)),
                0);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
