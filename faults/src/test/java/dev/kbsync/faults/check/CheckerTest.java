package dev.kbsync.faults.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.faults.history.Event;
import dev.kbsync.faults.history.Event.Kind;
import dev.kbsync.faults.history.Event.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checker on hand-made histories: valid ones pass with the right figures, each kind of violation is caught. */
class CheckerTest {
    private final List<Event> history = new ArrayList<>();
    private final Map<String, List<RemoteCommit>> commits = new HashMap<>();
    private final Map<String, FinalJob> jobs = new HashMap<>();
    private final Map<String, Long> drain = new HashMap<>(Map.of("kb", 120L));
    private long clock = 1_000_000_000L;
    private Expected expected = Expected.NOTHING;

    @Test
    void shouldPassAValidHistoryWithItsFigures() {
        submitted("j1", "done");
        submitted("j2", "done");
        submitted("j3", "failed");
        commit("kb", 0, "seed");
        commit("kb", 5, "j1");
        commit("kb", 7, "j2");
        hold("l1", 8, "released");
        hold("l2", 9, "released");
        read("j4", "queued", 3);
        read("j4", "queued", 1);
        read("j4", "running", 0);
        read("j4", "queued", 2); // requeued after its worker died: a new wait

        Verdict verdict = check();

        assertThat(verdict.violations()).isEmpty();
        Figures f = verdict.figures();
        assertThat(f.acknowledged()).isEqualTo(3);
        assertThat(f.landed()).isEqualTo(2);
        assertThat(f.failed()).isEqualTo(1);
        assertThat(f.duplicated()).isZero();
        assertThat(f.lost()).isZero();
        assertThat(f.overlaps()).isZero();
        assertThat(f.ops()).isEqualTo(7);
        assertThat(f.drainMillis()).isEqualTo(120);
        assertThat(f.recoveryMillis()).isEqualTo(-1);
    }

    @Test
    void shouldMeasureTheTimeFromAFaultUntilEveryKbGrantsAgain() {
        hold("l1", 1, "released");
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-0");
        clock += 2_000_000_000L;
        hold("l2", 2, "released");

        Figures f = check().figures();

        assertThat(f.recoveryMillis()).isBetween(2000L, 2010L);
        assertThat(f.ops()).isEqualTo(4);
    }

    @Test
    void shouldCatchAJobThatLandedTwice() {
        submitted("j1", "done");
        commit("kb", 3, "j1");
        commit("kb", 4, "j1");

        assertThat(check().violations()).anyMatch(v -> v.contains("j1 landed 2 times"));
        assertThat(check().figures().duplicated()).isEqualTo(1);
    }

    @Test
    void shouldCatchAnAcknowledgedJobThatIsDoneButNotOnTheRemote() {
        submitted("j1", "done");
        commit("kb", 0, "seed");

        assertThat(check().violations()).anyMatch(v -> v.contains("j1 of kb is done but not on its remote"));
        assertThat(check().figures().lost()).isEqualTo(1);
    }

    @Test
    void shouldCatchAnAcknowledgedJobThatNeverFinished() {
        submitted("j1", "queued");

        assertThat(check().violations()).anyMatch(v -> v.contains("j1 ended queued"));
    }

    @Test
    void shouldCatchACommitOfAJobNobodyAsked() {
        commit("kb", 3, "ghost");

        assertThat(check().violations()).anyMatch(v -> v.contains("never acknowledged"));
    }

    @Test
    void shouldAllowTheCommitOfASubmitWhoseAnswerWasLost() {
        add("s", Type.INVOKE, Kind.SUBMIT, "", 0, -1, 0, "");
        add("s", Type.UNKNOWN, Kind.SUBMIT, "", 0, -1, 0, "");
        commit("kb", 3, "unanswered");

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void shouldCatchFencesOutOfOrderOnTheBranch() {
        submitted("j1", "done");
        submitted("j2", "done");
        commit("kb", 7, "j1");
        commit("kb", 5, "j2");

        assertThat(check().violations()).anyMatch(v -> v.contains("fence 5 of kb"));
    }

    @Test
    void shouldCatchOverlappingHolds() {
        String a = acquire("a", 4);
        String b = acquire("b", 5); // granted while a still holds
        release(a, "released");
        release(b, "released");

        Verdict verdict = check();

        assertThat(verdict.violations()).anyMatch(v -> v.contains("overlap"));
        assertThat(verdict.figures().overlaps()).isEqualTo(1);
    }

    @Test
    void shouldAcceptALaterGrantAfterAnExpiredHold() {
        String a = acquire("a", 4);
        String b = acquire("b", 5);
        release(a, "expired"); // a's grant had lapsed: its hold is not confirmed
        release(b, "released");

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void shouldCatchHoldsWhoseTimeOrderContradictsTheirTokens() {
        hold("late", 9, "released");
        hold("early", 8, "released");

        assertThat(check().violations()).anyMatch(v -> v.contains("overlap"));
    }

    @Test
    void shouldCatchATokenIssuedTwice() {
        submitted("j1", "done");
        commit("kb", 8, "j1");
        hold("l1", 8, "released");

        assertThat(check().violations()).anyMatch(v -> v.contains("token 8 of kb issued twice"));
    }

    @Test
    void shouldCatchAPositionThatWentUp() {
        read("j1", "queued", 1);
        read("j1", "queued", 2);

        assertThat(check().violations()).anyMatch(v -> v.contains("position of j1 went up from 1 to 2"));
    }

    @Test
    void shouldComparePositionsOnlyWithinOneRedisHistory() {
        read("j1", "queued", 1);
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 redis master 7000");
        read("j1", "queued", 3);
        read("j1", "queued", 4);

        assertThat(check().violations())
                .containsExactly("position of j1 went up from 3 to 4")
                .doesNotContain("position of j1 went up from 1 to 3");
    }

    @Test
    void shouldCatchA500ButCountA503() {
        add("s", Type.INVOKE, Kind.SUBMIT, "", 0, -1, 0, "");
        add("s", Type.FAIL, Kind.SUBMIT, "", 0, -1, 503, "");
        add("s", Type.INVOKE, Kind.SUBMIT, "", 0, -1, 0, "");
        add("s", Type.FAIL, Kind.SUBMIT, "", 0, -1, 500, "");

        Verdict verdict = check();

        assertThat(verdict.violations()).singleElement().asString().contains("HTTP 500");
        assertThat(verdict.figures().unavailable()).isEqualTo(1);
    }

    @Test
    void shouldCatchA503WithoutRetryAfter() {
        add("s", Type.INVOKE, Kind.SUBMIT, "", 0, -1, 0, "");
        add("s", Type.FAIL, Kind.SUBMIT, "", 0, -1, 503, "REDIS_UNAVAILABLE (no Retry-After)");

        assertThat(check().violations()).singleElement().asString().contains("503 without Retry-After");
    }

    @Test
    void shouldCatchAQueueThatDidNotDrainAndAnUncleanRemote() {
        drain.put("kb", -1L);
        Observations observations = new Observations(
                history, Map.of("kb", new RemoteLog("kb", List.of(), false, "missing blob")), jobs, drain, expected);

        assertThat(Checker.check(observations).violations())
                .anyMatch(v -> v.contains("did not drain"))
                .anyMatch(v -> v.contains("git fsck of kb failed: missing blob"));
    }

    @Test
    void shouldCatchANemesisThatNeverInjectedAFault() {
        expected = Expected.faults("SIGSTOP of a worker holding a KB");
        submitted("j1", "done");
        commit("kb", 0, "seed");
        commit("kb", 5, "j1");
        hold("l1", 6, "released");

        Verdict verdict = check();
        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.warnings())
                .containsExactly("the nemesis (SIGSTOP of a worker holding a KB) never injected a fault: the run"
                        + " tested nothing of it");
    }

    @Test
    void shouldAcceptANemesisThatInjectedAFault() {
        expected = Expected.faults("kill -9 of a worker");
        hold("l1", 1, "released");
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-0");
        hold("l2", 2, "released");

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void shouldCatchACommitWithoutAFenceOrWithoutTrailers() {
        submitted("j1", "done");
        submitted("j2", "done");
        commit("kb", 0, "seed");
        commit("kb", 9, "j1");
        commit("kb", 0, "j2"); // no fence: a push nothing guarded
        commits.get("kb").add(new RemoteCommit("rogue", List.of(), 0)); // no job, no fence: not the seed

        assertThat(check().violations())
                .contains(
                        "commit c" + (clock - 1) + " of kb carries no Kbsync-Fence",
                        "commit rogue of kb carries no Kbsync-Job",
                        "commit rogue of kb carries no Kbsync-Fence");
    }

    @Test
    void shouldCatchAJobThatLandedOnAnotherKbsRemote() {
        submitted("kbA", "j1", "done");
        commit("kbA", 0, "seed");
        commit("kbB", 0, "seed");
        commit("kbB", 5, "j1");

        Verdict verdict = check();

        assertThat(verdict.violations())
                .contains(
                        "acknowledged job j1 of kbA is done but not on its remote",
                        "job j1 of kbA landed on the remote of kbB");
        assertThat(verdict.figures().landed()).isZero();
        assertThat(verdict.figures().lost()).isEqualTo(1);
    }

    @Test
    void shouldCatchTwoAcknowledgedSubmitsSharingOneJobId() {
        submitted("j1", "done");
        submitted("j1", "done"); // a second note answered with the first one's id: one note lost
        commit("kb", 0, "seed");
        commit("kb", 5, "j1");

        Verdict verdict = check();

        assertThat(verdict.violations()).containsExactly("job id j1 acknowledged to 2 submits");
        assertThat(verdict.figures().acknowledged()).isEqualTo(2);
    }

    @Test
    void shouldCatchAJobReportedFailedWhoseNoteLanded() {
        submitted("j1", "failed");
        jobs.put("j1", new FinalJob("j1", "failed", "PUSH_REJECTED")); // its worker said the push was refused
        commit("kb", 0, "seed");
        commit("kb", 5, "j1");

        Verdict verdict = check();

        assertThat(verdict.violations())
                .containsExactly("acknowledged job j1 of kb ended failed (PUSH_REJECTED) but its note landed");
        assertThat(verdict.figures().failed()).isEqualTo(1);
        assertThat(verdict.figures().landed()).isZero();
    }

    @Test
    void shouldCountAJobFailedByItsLapsedGrantWhoseNoteLandedWithoutAViolation() {
        submitted("j1", "failed"); // LEASE_EXPIRED: its grant lapsed on its last attempt before the worker reported
        commit("kb", 0, "seed");
        commit("kb", 5, "j1");

        Verdict verdict = check();

        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.figures().failed()).isEqualTo(1);
        assertThat(verdict.figures().failedLanded()).isEqualTo(1);
    }

    @Test
    void shouldCatchAKbNeverGrantedAgainAfterAFaultWhileItsHoldersAsked() {
        holdOn("kbA", "a1", 1);
        holdOn("kbB", "b1", 1);
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-0");
        holdOn("kbA", "a2", 2);
        addOn("kbB", "b2", Type.INVOKE, Kind.ACQUIRE, "", 0, -1, 0, "");
        clock += 10_000_000_000L;
        addOn("kbB", "b2", Type.UNKNOWN, Kind.ACQUIRE, "b2", 0, -1, 0, "gave up");

        Verdict verdict = check();
        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.warnings())
                .containsExactly("no lease of kbB was granted after fault 'kill -9 worker-0' (its holders asked for"
                        + " 10006 ms more)");
    }

    @Test
    void shouldCatchARecoverySlowerThanTheScenariosBound() {
        expected = new Expected("kill -9 of a worker", "kill -9", 3000);
        hold("l1", 1, "released");
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "replication link cut"); // not bounded
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-0");
        add("l2", Type.INVOKE, Kind.ACQUIRE, "", 0, -1, 0, "");
        clock += 5_000_000_000L;
        add("l2", Type.OK, Kind.ACQUIRE, "l2", 2, 0, 200, "granted");
        release("l2", "released");

        Verdict verdict = check();

        assertThat(verdict.violations())
                .containsExactly("kb granted again 5002 ms after fault 'kill -9 worker-0', over the 3000 ms"
                        + " docs/reliability.md allows");
        assertThat(verdict.figures().recoveryMillis()).isEqualTo(5003);
    }

    @Test
    void shouldAcceptARecoveryWithinTheScenariosBound() {
        expected = new Expected("kill -9 of a worker", "kill -9", 3000);
        hold("l1", 1, "released");
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-0");
        clock += 2_000_000_000L;
        hold("l2", 2, "released");

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void shouldCatchATokenIssuedTwiceThatOnlyAJobReadShows() {
        submitted("j1", "failed"); // failed: no commit carries its fence
        add("w", Type.OK, Kind.READ, "j1", 8, 0, 200, "running");
        hold("l1", 8, "released");

        assertThat(check().violations()).containsExactly("token 8 of kb issued twice: to job j1 and to lease l1");
    }

    @Test
    void shouldCatchOneTokenReadOnTwoJobs() {
        submitted("j1", "done");
        submitted("j2", "done");
        add("w", Type.OK, Kind.READ, "j1", 8, 0, 200, "running");
        add("w", Type.OK, Kind.READ, "j2", 8, 0, 200, "running");
        commit("kb", 0, "seed");
        commit("kb", 8, "j1");
        commit("kb", 9, "j2");

        assertThat(check().violations())
                .singleElement()
                .asString()
                .startsWith("token 8 of kb issued twice: to ")
                .endsWith(" and to job j2");
    }

    @Test
    void shouldAcceptAJobRetriedUnderSeveralTokensAndLandedUnderItsLast() {
        submitted("j1", "done");
        add("w", Type.OK, Kind.READ, "j1", 5, 0, 200, "running");
        add("w", Type.OK, Kind.READ, "j1", 5, 0, 200, "running");
        add("w", Type.OK, Kind.READ, "j1", 6, 0, 200, "running"); // its grant lapsed: run again under a new token
        add("w", Type.OK, Kind.READ, "j1", 6, -1, 200, "done");
        commit("kb", 0, "seed");
        commit("kb", 6, "j1");

        assertThat(check().violations()).isEmpty();
    }

    @Test
    void shouldHoldARecoveryToTheBoundOfTheLastFaultBeforeIt() {
        expected = new Expected("kill -9 of a worker", "kill -9", 3000);
        hold("l1", 1, "released");
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-0 at REPORTED");
        clock += 1_000_000_000L;
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-2 at IDLE");
        clock += 2_500_000_000L;
        hold("l2", 2, "released"); // 3.5 s after the first kill, 2.5 s after the second

        Verdict verdict = check();

        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.figures().recoveryMillis()).isEqualTo(3503);
    }

    @Test
    void shouldHoldTheBoundToTheKbsFirstNewGrantNotToAHolderQueuedBehindJobs() {
        expected = new Expected("kill -9 of a worker", "kill -9", 3000);
        hold("l1", 1, "released");
        read("j1", "running", 0);
        add("w", Type.OK, Kind.READ, "j1", 5, 0, 200, "running");
        add("l2", Type.INVOKE, Kind.ACQUIRE, "", 0, -1, 0, "");
        add("l2", Type.OK, Kind.READ, "l2", 0, 3, 202, "waiting");
        add("nemesis", Type.INVOKE, Kind.FAULT, "", 0, -1, 0, "kill -9 worker-1 at APPLIED");
        clock += 1_600_000_000L;
        add("w", Type.OK, Kind.READ, "j1", 6, 0, 200, "running"); // its grant lapsed: the KB granted again
        clock += 1_500_000_000L;
        add("l2", Type.OK, Kind.READ, "l2", 0, 0, 200, "waiting");
        add("l2", Type.OK, Kind.ACQUIRE, "l2", 9, 0, 200, "granted"); // after the jobs ahead of it ran
        release("l2", "released");

        Verdict verdict = check();

        assertThat(verdict.violations()).isEmpty();
        assertThat(verdict.figures().recoveryMillis()).isGreaterThan(3000);
    }

    private Verdict check() {
        Map<String, RemoteLog> remotes = new HashMap<>();
        commits.forEach((kb, list) -> remotes.put(kb, new RemoteLog(kb, list, true, "")));
        return Checker.check(new Observations(history, remotes, jobs, drain, expected));
    }

    private void submitted(String job, String finalState) {
        submitted("kb", job, finalState);
    }

    private void submitted(String kb, String job, String finalState) {
        addOn(kb, "s", Type.INVOKE, Kind.SUBMIT, "", 0, -1, 0, "");
        addOn(kb, "s", Type.OK, Kind.SUBMIT, job, 0, 2, 202, "queued");
        jobs.put(job, new FinalJob(job, finalState, finalState.equals("failed") ? "LEASE_EXPIRED" : ""));
    }

    private void commit(String kb, long fence, String job) {
        List<String> trailers = job.equals("seed") ? List.of() : List.of(job);
        commits.computeIfAbsent(kb, k -> new ArrayList<>()).add(new RemoteCommit("c" + clock, trailers, fence));
        clock++;
    }

    private void holdOn(String kb, String lease, long token) {
        addOn(kb, lease, Type.INVOKE, Kind.ACQUIRE, "", 0, -1, 0, "");
        addOn(kb, lease, Type.OK, Kind.ACQUIRE, lease, token, 0, 200, "granted");
        addOn(kb, lease, Type.INVOKE, Kind.RELEASE, lease, 0, -1, 0, "");
        addOn(kb, lease, Type.OK, Kind.RELEASE, lease, 0, -1, 200, "released");
    }

    private void hold(String lease, long token, String endState) {
        acquire(lease, token);
        release(lease, endState);
    }

    private String acquire(String lease, long token) {
        add(lease, Type.INVOKE, Kind.ACQUIRE, "", 0, -1, 0, "");
        add(lease, Type.OK, Kind.ACQUIRE, lease, token, 0, 200, "granted");
        return lease;
    }

    private void release(String lease, String endState) {
        add(lease, Type.INVOKE, Kind.RELEASE, lease, 0, -1, 0, "");
        add(lease, Type.OK, Kind.RELEASE, lease, 0, -1, 200, endState);
    }

    private void read(String id, String state, int ahead) {
        add("w", Type.OK, Kind.READ, id, 0, ahead, 200, state);
    }

    private void add(String process, Type type, Kind kind, String id, long token, int ahead, int status, String state) {
        addOn("kb", process, type, kind, id, token, ahead, status, state);
    }

    private void addOn(
            String kb,
            String process,
            Type type,
            Kind kind,
            String id,
            long token,
            int ahead,
            int status,
            String state) {
        clock += 1_000_000;
        history.add(new Event(process, type, kind, kb, id, token, ahead, status, state, clock, clock / 1_000_000));
    }
}
