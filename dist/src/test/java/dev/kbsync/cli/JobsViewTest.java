package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobsViewTest {
    private static final Instant NOW = Instant.parse("2026-11-29T08:00:00Z");

    @Test
    void shouldShowOneLinePerJobWithItsCommitOrErrorCode() {
        String text = JobsView.render(
                List.of(
                        job("j2", JobState.FAILED, null, new JobError("PUSH_REJECTED", "gave up"), 90),
                        job("j1", JobState.DONE, "9d1e0c4a1b", null, 7200),
                        job("j0", JobState.QUEUED, null, null, 5)),
                NOW);

        assertThat(text.lines())
                .containsExactly(
                        "j2  failed   team  alice  1 min ago  PUSH_REJECTED",
                        "j1  done     team  alice  2 h ago  9d1e0c4",
                        "j0  queued   team  alice  5 s ago");
        assertThat(JobsView.render(List.of(), NOW)).isEqualTo("no jobs" + System.lineSeparator());
    }

    @Test
    void shouldShowWhatARunningJobsWorkerSaidItIsDoing() {
        Job running = job("j3", JobState.RUNNING, null, null, 40);
        Job waiting = Job.fromJson(running.toJson().put("doing", "waiting for https://h/kb.git to answer"));

        assertThat(JobsView.render(List.of(waiting, running), NOW).lines())
                .containsExactly(
                        "j3  running  team  alice  40 s ago  waiting for https://h/kb.git to answer",
                        "j3  running  team  alice  40 s ago");
    }

    private static Job job(String id, JobState state, String commit, JobError error, long ageSeconds) {
        return new Job(
                id,
                KbId.of("team"),
                "alice",
                new JobPayload.Note("text", null, null),
                state,
                0,
                0,
                0,
                null,
                null,
                commit,
                null,
                List.of(),
                null,
                error,
                1,
                NOW.minusSeconds(ageSeconds),
                null,
                null);
    }
}
