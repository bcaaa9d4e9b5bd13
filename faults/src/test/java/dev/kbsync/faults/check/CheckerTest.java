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

        assertThat(check().violations()).anyMatch(v -> v.contains("j1 is done but not on its remote"));
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
                history, Map.of("kb", new RemoteLog("kb", List.of(), false, "missing blob")), jobs, drain);

        assertThat(Checker.check(observations).violations())
                .anyMatch(v -> v.contains("did not drain"))
                .anyMatch(v -> v.contains("git fsck of kb failed: missing blob"));
    }

    private Verdict check() {
        Map<String, RemoteLog> remotes = new HashMap<>();
        commits.forEach((kb, list) -> remotes.put(kb, new RemoteLog(kb, list, true, "")));
        return Checker.check(new Observations(history, remotes, jobs, drain));
    }

    private void submitted(String job, String finalState) {
        add("s", Type.INVOKE, Kind.SUBMIT, "", 0, -1, 0, "");
        add("s", Type.OK, Kind.SUBMIT, job, 0, 2, 202, "queued");
        jobs.put(job, new FinalJob(job, finalState, finalState.equals("failed") ? "LEASE_EXPIRED" : ""));
    }

    private void commit(String kb, long fence, String job) {
        List<String> trailers = job.equals("seed") ? List.of() : List.of(job);
        commits.computeIfAbsent(kb, k -> new ArrayList<>()).add(new RemoteCommit("c" + clock, trailers, fence));
        clock++;
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
        clock += 1_000_000;
        history.add(new Event(process, type, kind, "kb", id, token, ahead, status, state, clock, clock / 1_000_000));
    }
}
