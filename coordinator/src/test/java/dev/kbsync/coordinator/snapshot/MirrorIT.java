package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A read mirror fetches the KB's branch whatever the remote's HEAD names. */
class MirrorIT {
    @TempDir
    Path tmp;

    private final ExecutorService fetches = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        fetches.shutdownNow();
    }

    @Test
    void shouldFetchTheBranchWhenTheRemoteHeadIsDangling() throws Exception {
        Path remote = bare("master"); // `git init --bare`, then only main pushed
        String main = pushCommit(remote, "main");
        assertThat(snapshotOf(remote, "main")).isEqualTo(main);
    }

    @Test
    void shouldFetchTheBranchWhenTheRemoteHeadNamesAnother() throws Exception {
        Path remote = bare("master");
        pushCommit(remote, "master");
        String notes = pushCommit(remote, "notes");
        assertThat(snapshotOf(remote, "notes")).isEqualTo(notes);
    }

    private String snapshotOf(Path remote, String branch) throws Exception {
        KbConfig kb = new KbConfig(KbId.of("notes"), remote.toString(), branch);
        try (Mirror mirror = Mirror.open(kb, tmp.resolve("mirror-" + branch), fetches, new FetchAuth(List.of()))) {
            mirror.refresh().join();
            assertThat(mirror.lastFailure()).isNull();
            return mirror.current().orElseThrow().commit().name();
        }
    }

    private Path bare(String head) throws Exception {
        Path remote = tmp.resolve("remote.git");
        Git.init()
                .setBare(true)
                .setInitialBranch(head)
                .setDirectory(remote.toFile())
                .call()
                .close();
        return remote;
    }

    /** Commits README.md on a history of its own and pushes it as {@code branch}. */
    private String pushCommit(Path remote, String branch) throws Exception {
        Path scratch = Files.createTempDirectory(tmp, "scratch");
        try (Git git = Git.init()
                .setInitialBranch(branch)
                .setDirectory(scratch.toFile())
                .call()) {
            Files.writeString(scratch.resolve("README.md"), "# " + branch + "\n");
            git.add().addFilepattern("README.md").call();
            RevCommit commit = git.commit()
                    .setMessage("Seed " + branch)
                    .setAuthor("Ada", "ada@example.org")
                    .setCommitter("Ada", "ada@example.org")
                    .call();
            git.push()
                    .setRemote(remote.toString())
                    .setRefSpecs(new RefSpec("refs/heads/" + branch + ":refs/heads/" + branch))
                    .call();
            return commit.name();
        }
    }
}
