package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.FileChange;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.worker.fixture.Jobs;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportsTest {
    @Test
    void shouldLinkTheCommitWhereTheRemoteIsOnGitHubOrGitLab() {
        assertThat(commitUrl("git@github.com:acme/team.git")).isEqualTo("https://github.com/acme/team/commit/9d1e0c4a");
        assertThat(commitUrl("https://gitlab.com/acme/ops/team.git"))
                .isEqualTo("https://gitlab.com/acme/ops/team/-/commit/9d1e0c4a");
        assertThat(commitUrl("/srv/git/team.git")).isNull();
    }

    /**
     * An agent that ran in this very cycle, whose push landed although the push failed in transport (the next sync
     * found the cycle's own commit: already published), keeps its answer in the report.
     */
    @Test
    void shouldReportTheAnswerOfAnAgentThatRanInTheCycleThatFoundItsCommitPublished() {
        Outcome landed = new Outcome.AlreadyPublished(
                "9d1e0c4a", List.of(new FileChange("a.md", FileChange.Change.CREATED, null)), 0);

        JobOutcome outcome = Reports.of(assignment("/srv/git/team.git"), landed, "tidied 3 notes")
                .outcome();

        assertThat(((JobOutcome.Done) outcome).result()).isEqualTo("tidied 3 notes");
    }

    private static String commitUrl(String remote) {
        Outcome published =
                new Outcome.Published("9d1e0c4a", List.of(new FileChange("a.md", FileChange.Change.CREATED, null)), 0);
        return ((JobOutcome.Done)
                        Reports.of(assignment(remote), published, null).outcome())
                .commitUrl();
    }

    private static Assignment assignment(String remote) {
        Lease lease = new Lease(
                "team~j1.1",
                KbId.of("team"),
                "w1",
                LeaseState.GRANTED,
                0,
                1L,
                "j1",
                Instant.EPOCH,
                Instant.EPOCH,
                Instant.EPOCH,
                30_000);
        return new Assignment(
                lease, Jobs.note("j1", "alice", "text", null, null), new KbConfig(KbId.of("team"), remote, "main"));
    }
}
