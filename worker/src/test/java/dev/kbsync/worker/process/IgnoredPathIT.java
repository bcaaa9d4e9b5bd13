package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A note to a path the KB's {@code .gitignore} excludes is written to the checkout but git does not stage it: it must
 * fail with a clear error (nothing committed, the checkout left clean), never read {@code done} without its commit.
 */
class IgnoredPathIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private final Vertx vertx = Vertx.vertx();
    private CoordinatorFixture coordinator;
    private WorkerProcess worker;

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.stop();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldFailANoteToAnIgnoredPathAndLandTheNextOne() {
        Path bare = tmp.resolve("kb.git");
        String remote = GitFixture.bareRemote(bare);
        GitFixture.pushDirectly(remote, tmp.resolve("scratch"), ".gitignore", "drafts/\n*.tmp\n!notes/kept.tmp\n");
        coordinator = CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("kb", remote));
        worker = WorkerFixture.start(
                vertx,
                WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache-w1"), 1, Optional.empty()),
                PhaseListener.NONE);
        int before = GitFixture.history(bare).size();

        Job ignored = coordinator
                .client()
                .submitNote(KbId.of("kb"), new NoteRequest("alice", "a draft", "Draft", "drafts/plan.md", null));
        Job ignoredByName = coordinator
                .client()
                .submitNote(KbId.of("kb"), new NoteRequest("alice", "scratch", "Scratch", "notes/x.tmp", null));
        Job unignored = coordinator
                .client()
                .submitNote(KbId.of("kb"), new NoteRequest("alice", "kept", "Unignored", "notes/kept.tmp", null));
        Job kept = coordinator.submitNote("kb", "alice", "kept", "Kept");

        await().atMost(Duration.ofSeconds(30))
                .until(() -> coordinator.job(ignored.id()).state().terminal()
                        && coordinator.job(ignoredByName.id()).state().terminal()
                        && coordinator.job(unignored.id()).state().terminal()
                        && coordinator.job(kept.id()).state().terminal());
        for (Job job : List.of(ignored, ignoredByName)) {
            Job ended = coordinator.job(job.id());
            assertThat(ended.state()).as(job.id()).isEqualTo(JobState.FAILED);
            assertThat(ended.error().code()).isEqualTo("INVALID_PATH");
            assertThat(ended.error().message()).contains(".gitignore");
        }
        assertThat(coordinator.job(unignored.id()).state())
                .as("a path a ! rule takes back")
                .isEqualTo(JobState.DONE);
        assertThat(coordinator.job(kept.id()).state()).isEqualTo(JobState.DONE);
        assertThat(GitFixture.history(bare))
                .hasSize(before + 2)
                .extracting(RevCommit::getShortMessage)
                .contains("Add: Kept", "Add: Unignored");
    }
}
