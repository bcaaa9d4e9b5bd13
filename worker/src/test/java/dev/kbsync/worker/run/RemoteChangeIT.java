package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.GitAuth;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Jobs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A KB id registered again with another remote (removed and registered again, or pointed elsewhere): the next note
 * lands on the new remote, which gets nothing of the old remote's history, and the old remote is left as it was;
 * whether the worker kept running (its cached checkout object) or started again (only the checkout on disk).
 */
class RemoteChangeIT {
    @TempDir
    Path tmp;

    private Path a;
    private Path b;
    private KbConfig onA;
    private KbConfig onB;

    @BeforeEach
    void remotes() {
        a = tmp.resolve("remotes/a.git");
        b = tmp.resolve("remotes/b.git");
        onA = new KbConfig(KbId.of("team"), GitFixture.bareRemote(a), "main");
        onB = new KbConfig(KbId.of("team"), GitFixture.bareRemote(b), "main");
        GitFixture.pushDirectly(onA.remote(), tmp.resolve("scratch-a"), "a.md", "team A's secret\n");
        GitFixture.pushDirectly(onB.remote(), tmp.resolve("scratch-b"), "b.md", "team B's note\n");
    }

    @Test
    void shouldPublishTheNextNoteOnTheNewRemoteOnlyWhenTheKbsRemoteChanges() {
        try (CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE)) {
            assertThat(cycle().run(cache.checkout(onA), note("job-1", 1))).isInstanceOf(Outcome.Published.class);
            List<RevCommit> before = GitFixture.history(a);

            Outcome outcome = cycle().run(cache.checkout(onB), note("job-2", 2));

            assertLandedOnBOnly(outcome, before);
        }
    }

    @Test
    void shouldPublishOnTheNewRemoteOnlyWhenAWorkerStartsOnACheckoutOfTheOldOne() {
        try (CheckoutCache cache = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE)) {
            assertThat(cycle().run(cache.checkout(onA), note("job-1", 1))).isInstanceOf(Outcome.Published.class);
        }
        List<RevCommit> before = GitFixture.history(a);

        try (CheckoutCache restarted = new CheckoutCache(tmp.resolve("cache"), kb -> GitAuth.NONE)) {
            Outcome outcome = cycle().run(restarted.checkout(onB), note("job-2", 2));

            assertLandedOnBOnly(outcome, before);
        }
    }

    private void assertLandedOnBOnly(Outcome outcome, List<RevCommit> aBefore) {
        assertThat(outcome).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.jobs(b)).containsExactly("job-2");
        List<String> onB =
                GitFixture.history(b).stream().map(RevCommit::getShortMessage).toList();
        assertThat(onB).noneMatch(subject -> subject.contains("a.md") || subject.contains("job-1"));
        assertThat(GitFixture.history(b))
                .noneMatch(commit -> aBefore.stream().anyMatch(old -> old.equals(commit) && !isSeed(old)));
        assertThat(GitFixture.history(a)).isEqualTo(aBefore);
        Path work = tmp.resolve("cache/team/work");
        assertThat(work.resolve("a.md")).doesNotExist();
        assertThat(work.resolve("b.md")).exists();
        assertThat(Files.exists(work.resolve(".git"))).isTrue();
    }

    /** The seed commit both remotes were made with (same content: the same id when made within the same second). */
    private static boolean isSeed(RevCommit commit) {
        return commit.getParentCount() == 0;
    }

    private static NoteUnit note(String id, long fence) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, null), fence);
    }

    private static PublishCycle cycle() {
        return new PublishCycle(new PushRetry(0, Duration.ofMillis(10)), PhaseListener.NONE, d -> {});
    }
}
