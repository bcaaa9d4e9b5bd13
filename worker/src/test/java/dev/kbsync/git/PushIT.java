package dev.kbsync.git;

import static dev.kbsync.git.GitFixture.AUTHOR;
import static dev.kbsync.git.GitFixture.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PushIT {
    @TempDir
    Path tmp;

    @Test
    void shouldRejectTheSlowerOfTwoConcurrentPushesAndSucceedAfterRepull() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            write(a, "a.md", "a");
            a.commit("Add: a", AUTHOR, Map.of("Kbsync-Job", "a"));
            write(b, "b.md", "b");
            b.commit("Add: b", AUTHOR, Map.of("Kbsync-Job", "b"));
            List<PushResult> results = pushTogether(a, b);

            assertThat(results).filteredOn(PushResult.Pushed.class::isInstance).hasSize(1);
            assertThat(results)
                    .filteredOn(PushResult.RejectedNonFastForward.class::isInstance)
                    .hasSize(1);
            KbRepository loser = results.get(0) instanceof PushResult.Pushed ? b : a;
            assertThat(loser.pull()).isInstanceOf(PullResult.Rebased.class);
            assertThat(loser.push()).isInstanceOf(PushResult.Pushed.class);
        }
        List<RevCommit> log = fixture.remoteLog();
        assertThat(log)
                .hasSize(3)
                .allSatisfy(c -> assertThat(c.getParentCount()).isLessThanOrEqualTo(1));
        assertThat(log.subList(0, 2))
                .flatExtracting(c -> c.getFooterLines("Kbsync-Job"))
                .containsExactlyInAnyOrder("a", "b");
        try (KbRepository check = fixture.cloneRepo()) {
            assertThat(check.workTree().resolve("a.md")).exists();
            assertThat(check.workTree().resolve("b.md")).exists();
        }
    }

    private static List<PushResult> pushTogether(KbRepository a, KbRepository b) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            Future<PushResult> fa = pool.submit(() -> {
                start.await();
                return a.push();
            });
            Future<PushResult> fb = pool.submit(() -> {
                start.await();
                return b.push();
            });
            start.countDown();
            return new ArrayList<>(List.of(fa.get(), fb.get()));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldNeverForceAPushOfDivergedHistory() {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository a = fixture.cloneRepo();
                KbRepository b = fixture.cloneRepo()) {
            String winner = GitFixture.commitAndPush(a, "a.md", "a");
            write(b, "b.md", "b");
            b.commit("Add: b", AUTHOR, Map.of());
            PushResult result = b.push();
            assertThat(result).isInstanceOf(PushResult.RejectedNonFastForward.class);
            assertThat(result.message()).contains("pull and retry");
            assertThat(fixture.remoteLog().get(0).name()).isEqualTo(winner);
        }
    }

    /**
     * A push after a clean cycle does not fetch first, so it must not take the remote's branch for what it last saw:
     * rewound to an earlier commit (to drop a leaked secret), the push would be a fast-forward that puts the dropped
     * commits back. It is refused as the remote having changed; the caller fetches and applies again.
     */
    @Test
    void shouldNotPutBackCommitsTheRemoteDroppedByRewindingItsBranch() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        ObjectId seed = fixture.remoteLog().get(0).getId();
        try (KbRepository a = fixture.cloneRepo()) {
            GitFixture.commitAndPush(a, "leaked.md", "a secret");
            try (Git bare = Git.open(fixture.remoteDir().toFile())) {
                RefUpdate rewind = bare.getRepository().updateRef("refs/heads/" + GitFixture.BRANCH);
                rewind.setNewObjectId(seed);
                rewind.setForceUpdate(true);
                assertThat(rewind.update()).isEqualTo(RefUpdate.Result.FORCED);
            }
            write(a, "next.md", "next");
            a.commit("Add: next", AUTHOR, Map.of());

            PushResult result = a.push();

            assertThat(result).isInstanceOf(PushResult.RejectedNonFastForward.class);
            assertThat(fixture.remoteLog().get(0).getId())
                    .as("the rewound branch")
                    .isEqualTo(seed);
        }
    }

    @Test
    void shouldClassifyAnHttpAuthFailureWithFixSuggestions() throws Exception {
        try (UnauthorizedServer server = new UnauthorizedServer();
                KbRepository repo = repoWithOrigin(server.url(), new GitCredentials("ada", "wrong-token-123"))) {
            PushResult result = repo.push();
            assertThat(result).isInstanceOf(PushResult.AuthFailed.class);
            assertThat(result.message()).contains("SSH", "credential helper", "personal access token");
            assertThat(server.authorizations()).isNotEmpty();
            assertThatThrownBy(repo::pull)
                    .isInstanceOf(GitNetworkException.class)
                    .hasMessageStartingWith("Git error during pull: ")
                    .hasMessageContaining("personal access token");
        }
    }

    @Test
    void shouldClassifyAMissingCredentialAsAuthFailure() throws Exception {
        try (UnauthorizedServer server = new UnauthorizedServer();
                KbRepository repo = repoWithOrigin(server.url(), null)) {
            assertThat(repo.push()).isInstanceOf(PushResult.AuthFailed.class);
            assertThat(server.authorizations()).isEmpty();
        }
    }

    @Test
    void shouldThrowANetworkExceptionWhenTheRemoteIsUnreachable() throws Exception {
        String url = "https://127.0.0.1:" + UnauthorizedServer.closedPort() + "/acme/kb.git";
        try (KbRepository repo = repoWithOrigin(url, null)) {
            assertThatThrownBy(repo::push)
                    .isInstanceOf(GitNetworkException.class)
                    .hasMessageStartingWith("Git error during push: ");
            assertThatThrownBy(repo::pull).isInstanceOf(GitNetworkException.class);
        }
    }

    private KbRepository repoWithOrigin(String url, GitCredentials credentials) {
        return GitFixture.localWithOrigin(
                tmp.resolve("local"), url, credentials == null ? GitAuth.NONE : GitAuth.fixed(credentials));
    }
}
