package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void shouldDescribeWaitingWithAheadAndTheEtaBand() {
        assertThat(Progress.describe(queued(3, 10_200, 24_100))).isEqualTo("waiting: 3 ahead, ~10-25 s");
        assertThat(Progress.describe(queued(3, 39_600, 39_900))).isEqualTo("waiting: 3 ahead, ~40 s");
        assertThat(Progress.describe(queued(1, 300, 2_500))).isEqualTo("waiting: 1 ahead, ~0-3 s");
        assertThat(Progress.describe(queued(1, 0, 900))).isEqualTo("waiting: 1 ahead, ~<1 s");
    }

    @Test
    void shouldSayWhatARunningJobsWorkerIsDoingWhenItSaid() {
        Job running = job(JobState.RUNNING, 0, 0, null, null, List.of(), null);
        Job waiting = Job.fromJson(running.toJson()
                .put("fencingToken", 7)
                .put(
                        "doing",
                        "waiting for https://h/kb.git to answer: unreachable since 2026-12-06T05:12:34Z, 3 tries,"
                                + " next in 4 s"));

        assertThat(Progress.describe(waiting))
                .isEqualTo("running (fencing token 7): waiting for https://h/kb.git to answer: unreachable since"
                        + " 2026-12-06T05:12:34Z, 3 tries, next in 4 s");
    }

    @Test
    void shouldOmitAFencingTokenItDoesNotKnowInsteadOfPrintingNull() {
        assertThat(Progress.describe(job(JobState.RUNNING, 0, 0, null, null, List.of(), null)))
                .isEqualTo("running");
    }

    @Test
    void shouldPrintOneLinePerChangeWhenNotATerminal() {
        Progress progress = new Progress(out, false);
        progress.show(queued(2, 0, 0));
        progress.show(queued(2, 0, 0));
        progress.show(job(JobState.RUNNING, 0, 0, 7L, null, List.of(), null));
        assertThat(text()).isEqualTo("waiting: 2 ahead, ~<1 s\nrunning (fencing token 7)\n");
    }

    @Test
    void shouldRewriteTheLineInPlaceOnATerminal() {
        Progress progress = new Progress(out, true);
        progress.show(queued(1, 0, 0));
        assertThat(text()).startsWith("\r\033[K").doesNotContain("\n");
    }

    @Test
    void shouldListChangedFilesWithLinksWhenDone() {
        FileChange file =
                new FileChange("notes/a.md", FileChange.Change.CREATED, "https://github.com/u/r/blob/main/notes/a.md");
        Job job = job(JobState.DONE, 0, 0, 7L, "abc123", List.of(file), null);
        assertThat(new Progress(out, false).finish(job)).isEqualTo(ExitCodes.OK);
        assertThat(text())
                .contains("done: commit abc123")
                .contains("created notes/a.md  https://github.com/u/r/blob/main/notes/a.md");
    }

    @Test
    void shouldExitNonZeroWithTheErrorCodeWhenFailed() {
        Job job = job(JobState.FAILED, 0, 0, 7L, null, List.of(), new JobError("MERGE_CONFLICT", "resolve manually"));
        assertThat(new Progress(out, false).finish(job)).isEqualTo(ExitCodes.FAILED);
        assertThat(text()).contains("failed: MERGE_CONFLICT: resolve manually");
    }

    @Test
    void shouldPrintAnAgentsAnswerAndSayWhenCancelled() {
        Job answered = job(JobState.DONE, 0, 0, 7L, null, List.of(), null);
        answered = new Job(
                answered.id(),
                answered.kb(),
                answered.user(),
                answered.payload(),
                answered.state(),
                0,
                0,
                0,
                7L,
                7L,
                null,
                null,
                List.of(),
                "There are 2 notes.",
                null,
                1,
                answered.createdAt(),
                null,
                null);
        assertThat(new Progress(out, false).finish(answered)).isEqualTo(ExitCodes.OK);
        assertThat(text()).endsWith("There are 2 notes.\n");
        assertThat(new Progress(out, false).finish(job(JobState.CANCELLED, 0, 0, null, null, List.of(), null)))
                .isEqualTo(ExitCodes.FAILED);
        assertThat(text()).contains("cancelled: the job never landed");
    }

    private static Job queued(long ahead, long etaMs, long etaP90Ms) {
        return job(JobState.QUEUED, ahead, etaMs, null, null, List.of(), null)
                .at(JobState.QUEUED, ahead, etaMs, etaP90Ms);
    }

    private static Job job(
            JobState state, long ahead, long etaMs, Long fence, String commit, List<FileChange> files, JobError error) {
        return new Job(
                "j1",
                KbId.of("team"),
                "alice",
                new JobPayload.Note("text", null, null),
                state,
                ahead,
                etaMs,
                etaMs,
                fence,
                fence,
                commit,
                null,
                files,
                null,
                error,
                1,
                Instant.EPOCH,
                null,
                null);
    }

    private String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
