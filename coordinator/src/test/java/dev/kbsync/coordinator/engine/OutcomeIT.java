package dev.kbsync.coordinator.engine;

import static dev.kbsync.coordinator.engine.Coordinators.await;
import static dev.kbsync.coordinator.engine.Coordinators.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Recording a job's outcome is one atomic step with the lease check and the release: a report whose answer is late,
 * or whose coordinator died after Redis ran it, can neither overwrite another worker's outcome nor leave the KB held.
 * Coordinator 0 reaches Redis through a {@link FaultProxy}, coordinator 1 directly.
 */
class OutcomeIT {
    private static final Duration LEASE_TTL = Duration.ofMillis(3000);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    Coordinators coordinators;
    FaultProxy proxy;
    JobService viaProxy;
    JobService direct;

    @BeforeEach
    void start() {
        proxy = FaultProxy.to(redis.port());
        coordinators = new Coordinators(redis);
        EngineConfig base = Coordinators.config("x").withLeaseTtl(LEASE_TTL);
        viaProxy = coordinators
                .start( // sweeps once a minute: within a test, its only traffic to the KB is what the test asks of it
                        base.withId("proxied").withSweepInterval(Duration.ofMinutes(1)), MetricsSink.NONE, proxy.uri())
                .engine()
                .services()
                .jobs();
        Engine other = coordinators.start(base.withId("direct"));
        coordinators.register(
                other,
                "stale",
                "retried",
                "fenced",
                "fenced-batch",
                "outage",
                "full",
                "outage-batch",
                "landed-batch",
                "uncertain-batch");
        direct = other.services().jobs();
    }

    /** Each test on an empty Redis: a job one test leaves queued must not reach another test's poll. */
    @AfterEach
    void stop() {
        proxy.close();
        coordinators.kill(0);
        coordinators.close();
        RespClient.once(redis.port(), Duration.ofSeconds(2), "FLUSHALL");
    }

    @Test
    void shouldNotLetAStaleWorkersFailureOverwriteAJobAnotherWorkerLanded() {
        Job job = await(direct.submit(KbId.of("stale"), "ann", note("contested"), Optional.empty()));
        Assignment first = await(viaProxy.poll("w1", Duration.ofSeconds(10))).orElseThrow();

        proxy.holdResponsesAfter("{kb:stale}"); // w1's report reaches Redis; its coordinator hears back much later
        Future<Job> staleReport = viaProxy.complete(
                job.id(), new JobOutcome.Failed(first.lease().id(), new JobError("PUSH_REJECTED", "gave up"), 0));
        sleep(LEASE_TTL.toMillis() + 1000); // w1's lease would have expired by now
        Optional<Assignment> second = await(direct.poll("w2", Duration.ofMillis(1500)));
        boolean landed = second.isPresent()
                && await(direct.complete(job.id(), done(second.get()))).state() == JobState.DONE;
        proxy.releaseResponses();
        boolean staleAccepted = accepted(staleReport);

        Job finalJob = await(direct.get(job.id()));
        assertThat(landed && staleAccepted)
                .as("both the stale failure and the landed commit were accepted")
                .isFalse();
        assertThat(finalJob.state()).isEqualTo(landed ? JobState.DONE : JobState.FAILED);
    }

    /**
     * A worker that holds the job's live grant but finds the branch fenced above its token (a degraded coordinator's
     * local grant published meanwhile) reports STALE_FENCE: the job runs again under a new, larger token instead of
     * failing for good.
     */
    @Test
    void shouldRunAJobAgainWhenItsLiveGrantWasRefusedForAStaleFence() {
        KbId kb = KbId.of("fenced");
        Job job = await(direct.submit(kb, "ann", note("behind a degraded commit"), Optional.empty()));
        Assignment first = await(direct.poll("w1", Duration.ofSeconds(10))).orElseThrow();

        Job reported = await(direct.complete(
                job.id(),
                new JobOutcome.Failed(first.lease().id(), new JobError("STALE_FENCE", "branch fenced above"), 0)));

        assertThat(reported.state()).isEqualTo(JobState.QUEUED);
        Assignment again = await(direct.poll("w2", Duration.ofSeconds(10))).orElseThrow();
        assertThat(again.job().id()).isEqualTo(job.id());
        assertThat(again.lease().fencingToken()).isGreaterThan(first.lease().fencingToken());
        assertThat(await(direct.complete(job.id(), done(again))).state()).isEqualTo(JobState.DONE);
    }

    /**
     * The same for a group commit: its members report before its head, and a member refused for a stale fence (the
     * whole batch was: it shares the grant's token) sends the batch back, the member and its head alike.
     */
    @Test
    void shouldRunAGroupCommitAgainWhenAMemberWasRefusedForAStaleFence() {
        KbId kb = KbId.of("fenced-batch");
        Job head = await(direct.submit(kb, "ann", note("head behind a degraded commit"), Optional.empty()));
        Job member = await(direct.submit(kb, "ann", note("member behind a degraded commit"), Optional.empty()));
        Assignment first = await(direct.poll("w1", Duration.ofSeconds(10))).orElseThrow();
        List<Assignment> members = await(direct.extend(first.lease().id(), 4));
        assertThat(members).extracting(a -> a.job().id()).containsExactly(member.id());
        JobError stale = new JobError("STALE_FENCE", "branch fenced above");

        Job reported = await(direct.complete(
                member.id(), new JobOutcome.Failed(members.get(0).lease().id(), stale, 0)));

        assertThat(reported.state()).as("the member, refused for a stale fence").isEqualTo(JobState.QUEUED);
        assertThat(await(direct.get(head.id())).state()).as("its head").isEqualTo(JobState.QUEUED);
        Assignment again = await(direct.poll("w2", Duration.ofSeconds(10))).orElseThrow();
        assertThat(again.job().id()).isEqualTo(head.id());
        assertThat(again.lease().fencingToken()).isGreaterThan(first.lease().fencingToken());
        List<Assignment> membersAgain = await(direct.extend(again.lease().id(), 4));
        assertThat(membersAgain).extracting(a -> a.job().id()).containsExactly(member.id());
        assertThat(await(direct.complete(member.id(), done(membersAgain.get(0))))
                        .state())
                .isEqualTo(JobState.DONE);
        assertThat(await(direct.complete(head.id(), done(again))).state()).isEqualTo(JobState.DONE);
    }

    /**
     * A worker that waited for the KB's unreachable remote until its grant's deadline reports REMOTE_UNAVAILABLE, one
     * whose disk was full DISK_FULL, one stopped before its push by its worker's shutdown WORKER_SHUTDOWN, one whose
     * push failed in transport and could not be checked PUSH_UNCERTAIN (it may have landed: the next run finds its
     * commit): the job goes back to its place while it has attempts left (3 by default), and fails with that error on
     * its last one.
     */
    @ParameterizedTest
    @ValueSource(strings = {"REMOTE_UNAVAILABLE", "DISK_FULL", "WORKER_SHUTDOWN", "PUSH_UNCERTAIN"})
    void shouldRunAJobAgainWhileItsRemoteWasUnavailableOrItsWorkersDiskFullAndItHasAttemptsLeft(String code) {
        KbId kb = KbId.of(code.equals("DISK_FULL") ? "full" : "outage");
        Job job = await(direct.submit(kb, "ann", note("while the host is down"), Optional.empty()));
        JobError unavailable = new JobError(code, "the remote answered 503 for 290 s, or the disk was full");
        long token = 0;
        for (int attempt = 1; attempt <= 3; attempt++) {
            Assignment claimed =
                    await(direct.poll("w" + attempt, Duration.ofSeconds(10))).orElseThrow();
            assertThat(claimed.job().id()).isEqualTo(job.id());
            assertThat(claimed.lease().fencingToken()).isGreaterThan(token);
            token = claimed.lease().fencingToken();

            Job reported = await(direct.complete(
                    job.id(), new JobOutcome.Failed(claimed.lease().id(), unavailable, 0)));

            assertThat(reported.attempts()).isEqualTo(attempt);
            assertThat(reported.state())
                    .as("after attempt %d", attempt)
                    .isEqualTo(attempt < 3 ? JobState.QUEUED : JobState.FAILED);
        }
        assertThat(await(direct.get(job.id())).error()).isEqualTo(unavailable);
    }

    /**
     * A job whose push was uncertain on an earlier attempt (PUSH_UNCERTAIN: it may have landed) and whose later attempts
     * could not reach the remote to find out fails with its last attempt's error, which says so: a bot reading only the
     * last error would otherwise take the note for not landed and submit it again.
     */
    @Test
    void shouldSayAnEarlierAttemptsPushMayHaveLandedWhenTheLastOneFails() {
        KbId kb = KbId.of("outage");
        Job job = await(direct.submit(kb, "ann", note("pushed, maybe"), Optional.empty()));
        List<String> codes = List.of("PUSH_UNCERTAIN", "REMOTE_UNAVAILABLE", "REMOTE_UNAVAILABLE");
        for (String code : codes) {
            Assignment claimed = await(direct.poll("w", Duration.ofSeconds(10))).orElseThrow();
            await(direct.complete(
                    job.id(),
                    new JobOutcome.Failed(claimed.lease().id(), new JobError(code, "the remote did not answer"), 0)));
        }

        Job failed = await(direct.get(job.id()));
        assertThat(failed.state()).isEqualTo(JobState.FAILED);
        assertThat(failed.error().code()).isEqualTo("REMOTE_UNAVAILABLE");
        assertThat(failed.error().message())
                .startsWith("the remote did not answer")
                .contains("an earlier attempt's push may have landed (PUSH_UNCERTAIN)");
    }

    /**
     * A group commit pushes its head and members in one push: when that push is uncertain (PUSH_UNCERTAIN, reported by
     * a member or by the head) it may have landed every job of the batch, so each one's final error says so, whichever
     * job reported it, when their later attempts all fail otherwise (REMOTE_UNAVAILABLE).
     */
    @ParameterizedTest
    @ValueSource(strings = {"member", "head"})
    void shouldSayAnUncertainGroupCommitPushMayHaveLandedEveryJobOfTheBatch(String reporter) {
        KbId kb = KbId.of("uncertain-batch");
        Job head = await(direct.submit(kb, "ann", note("head, pushed maybe"), Optional.empty()));
        Job first = await(direct.submit(kb, "ann", note("member, pushed maybe"), Optional.empty()));
        Job second = await(direct.submit(kb, "ann", note("other member, pushed maybe"), Optional.empty()));
        JobError uncertain = new JobError("PUSH_UNCERTAIN", "the push failed in transport");
        for (int attempt = 1; attempt <= 3; attempt++) {
            Assignment claimed = await(direct.poll("w", Duration.ofSeconds(10))).orElseThrow();
            assertThat(claimed.job().id()).isEqualTo(head.id());
            List<Assignment> members = await(direct.extend(claimed.lease().id(), 4));
            assertThat(members).extracting(a -> a.job().id()).containsExactly(first.id(), second.id());
            if (attempt == 1) {
                Assignment by = reporter.equals("head") ? claimed : members.get(0);
                Job reported = await(direct.complete(
                        by.job().id(), new JobOutcome.Failed(by.lease().id(), uncertain, 0)));
                assertThat(reported.state()).isEqualTo(JobState.QUEUED);
            } else if (attempt == 2) {
                await(direct.complete(
                        head.id(), new JobOutcome.Failed(claimed.lease().id(), OUTAGE, 0)));
            } else {
                for (Assignment member : members) {
                    await(direct.complete(
                            member.job().id(),
                            new JobOutcome.Failed(member.lease().id(), OUTAGE, 0)));
                }
                await(direct.complete(
                        head.id(), new JobOutcome.Failed(claimed.lease().id(), OUTAGE, 0)));
            }
        }

        for (Job job : List.of(head, first, second)) {
            Job failed = await(direct.get(job.id()));
            assertThat(failed.state()).as(job.id()).isEqualTo(JobState.FAILED);
            assertThat(failed.error().code()).isEqualTo("REMOTE_UNAVAILABLE");
            assertThat(failed.error().message())
                    .as("job %s of the batch whose push was uncertain", job.id())
                    .startsWith(OUTAGE.message())
                    .contains("an earlier attempt's push may have landed (PUSH_UNCERTAIN)");
        }
    }

    /**
     * A group commit's member reporting REMOTE_UNAVAILABLE (members report before their head) while its head is on its
     * last attempt goes back alone: the head keeps the grant until its own report, which fails it with its own error
     * (no attempt past the limit), and the member runs again.
     */
    @Test
    void shouldNotGiveAHeadOnItsLastAttemptAnotherWhenAMemberSendsItsPartBack() {
        Batch batch = batchOnItsHeadsLastAttempt(KbId.of("outage-batch"));
        Job head = batch.head().job();
        Job member = batch.member().job();

        Job reported = await(direct.complete(
                member.id(), new JobOutcome.Failed(batch.member().lease().id(), OUTAGE, 0)));

        assertThat(reported.state()).as("the member, on its first attempt").isEqualTo(JobState.QUEUED);
        assertThat(await(direct.get(head.id())).state())
                .as("its head, still under its grant")
                .isEqualTo(JobState.RUNNING);
        Job headReport = await(direct.complete(
                head.id(), new JobOutcome.Failed(batch.head().lease().id(), OUTAGE, 0)));
        assertThat(headReport.state()).isEqualTo(JobState.FAILED);
        assertThat(headReport.attempts()).isEqualTo(3);
        assertThat(headReport.error()).isEqualTo(OUTAGE);
        Assignment next = await(direct.poll("w2", Duration.ofSeconds(10))).orElseThrow();
        assertThat(next.job().id()).isEqualTo(member.id());
        assertThat(next.job().attempts()).isEqualTo(2);
    }

    /** The same head found its earlier push on the remote: its own report, done after its member's, stands. */
    @Test
    void shouldLetAHeadOnItsLastAttemptReportDoneAfterAMemberSentItsPartBack() {
        Batch batch = batchOnItsHeadsLastAttempt(KbId.of("landed-batch"));

        await(direct.complete(
                batch.member().job().id(),
                new JobOutcome.Failed(batch.member().lease().id(), OUTAGE, 0)));

        assertThat(await(direct.complete(batch.head().job().id(), done(batch.head())))
                        .state())
                .isEqualTo(JobState.DONE);
    }

    private static final JobError OUTAGE = new JobError("REMOTE_UNAVAILABLE", "the remote answered 503 for 290 s");

    /** A group commit's head and its one member, as their worker holds them. */
    private record Batch(Assignment head, Assignment member) {}

    /**
     * A group commit of {@code kb} whose head is on its last attempt (of 3: it failed REMOTE_UNAVAILABLE on the first
     * two) and whose member, submitted meanwhile, on its first.
     */
    private Batch batchOnItsHeadsLastAttempt(KbId kb) {
        Job head = await(direct.submit(kb, "ann", note("queued before the outage"), Optional.empty()));
        for (int attempt = 1; attempt <= 2; attempt++) {
            Assignment claimed =
                    await(direct.poll("w1", Duration.ofSeconds(10))).orElseThrow();
            assertThat(claimed.job().id()).isEqualTo(head.id());
            await(direct.complete(
                    head.id(), new JobOutcome.Failed(claimed.lease().id(), OUTAGE, 0)));
        }
        Job member = await(direct.submit(kb, "ann", note("sent during the outage"), Optional.empty()));
        Assignment last = await(direct.poll("w1", Duration.ofSeconds(10))).orElseThrow();
        List<Assignment> members = await(direct.extend(last.lease().id(), 4));
        assertThat(members).extracting(a -> a.job().id()).containsExactly(member.id());
        return new Batch(last, members.get(0));
    }

    @Test
    void shouldReleaseTheGrantWhenACompleteIsRetriedAfterItsCoordinatorDied() {
        KbId kb = KbId.of("retried");
        Job job = await(direct.submit(kb, "ann", note("first"), Optional.empty()));
        Job behind = await(direct.submit(kb, "ann", note("second"), Optional.empty()));
        Assignment a = await(viaProxy.poll("w1", Duration.ofSeconds(10))).orElseThrow();
        JobOutcome outcome = new JobOutcome.Done(a.lease().id(), "c0ffee0c0ffee", List.of(), 0);

        proxy.freezeAfter("c0ffee0c0ffee"); // the coordinator dies right after Redis got the report
        viaProxy.complete(job.id(), outcome);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(proxy::frozen);
        sleep(300);
        Job retried = await(direct.complete(job.id(), outcome)); // the worker retries elsewhere

        assertThat(retried.state()).isEqualTo(JobState.DONE);
        long asked = System.nanoTime();
        Optional<Assignment> next = await(direct.poll("w2", Duration.ofMillis(1000)));
        assertThat(next)
                .as("the next job is dispatched at once, not after the lease TTL (%d ms)", LEASE_TTL.toMillis())
                .isPresent();
        assertThat(next.get().job().id()).isEqualTo(behind.id());
        assertThat(Duration.ofNanos(System.nanoTime() - asked)).isLessThan(LEASE_TTL);
    }

    private static boolean accepted(Future<Job> report) {
        try {
            await(report);
            return true;
        } catch (RuntimeException refused) {
            return false;
        }
    }

    private static JobOutcome done(Assignment a) {
        return new JobOutcome.Done(a.lease().id(), "abc123", List.of(), 0);
    }

    private static JobPayload note(String text) {
        return new JobPayload.Note(text, null, null);
    }
}
