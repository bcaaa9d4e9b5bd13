package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.worker.apply.NoteApplier;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notes to an explicit path that changed on the branch since they were submitted, through the real coordinator,
 * real workers and a real remote: two writers racing on one file both land, in order; a note whose lines were edited
 * on the branch meanwhile fails with {@code CONFLICT} and leaves the remote as it was.
 */
class NoteMergeIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;

    @BeforeEach
    void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterEach
    void tearDown() {
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldKeepBothNotesInOrderWhenTwoWritersRaceOnOneFile() throws Exception {
        Path bare = tmp.resolve("race.git");
        String remote = GitFixture.bareRemote(bare);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("race", remote))) {
            Job first = note(coordinator, "race", "alice", "Standup moved to 9:30", "journal/standup.md");
            Job second = note(coordinator, "race", "bob", "Retro moved to Friday", "journal/standup.md");
            List<WorkerProcess> workers = List.of(worker(coordinator, "w1"), worker(coordinator, "w2"));
            try {
                awaitFinished(coordinator, first, second);
            } finally {
                workers.forEach(WorkerProcess::stop);
            }

            assertThat(coordinator.job(first.id()).state().wire()).isEqualTo("done");
            assertThat(coordinator.job(second.id()).state().wire()).isEqualTo("done");
            String journal = fileAtHead(bare, "journal/standup.md").orElseThrow();
            assertThat(journal)
                    .contains("Standup moved to 9:30", "Retro moved to Friday", "author: \"alice\"", "author: \"bob\"");
            assertThat(journal.indexOf("Standup moved to 9:30"))
                    .as("the note that landed first comes first")
                    .isLessThan(journal.indexOf("Retro moved to Friday"));
            assertThat(GitFixture.commitsForJob(bare, first.id())).isEqualTo(1);
            assertThat(GitFixture.commitsForJob(bare, second.id())).isEqualTo(1);
        }
    }

    @Test
    void shouldFailWithConflictAndLeaveTheRemoteAsItWasWhenTheSameLinesChanged() throws Exception {
        Path bare = tmp.resolve("board.git");
        String remote = GitFixture.bareRemote(bare);
        Instant anHourAgo = Instant.now().minusSeconds(3600);
        push(remote, "seed", Map.of("board.yaml", "owner: alice\nstatus: open\n", "other.yaml", "a: 1\n"), anHourAgo);
        try (CoordinatorFixture coordinator =
                CoordinatorFixture.start(vertx, redis, Duration.ofSeconds(10), Map.of("board", remote))) {
            Job conflicting = note(coordinator, "board", "bob", "owner: bob\nstatus: open", "board.yaml");
            Job unchanged = note(coordinator, "board", "bob", "a: 2", "other.yaml");
            push(remote, "edit", Map.of("board.yaml", "owner: carol\nstatus: open\n"), Instant.now());
            RevCommit before = GitFixture.history(bare).get(0);
            WorkerProcess worker = worker(coordinator, "w1");
            try {
                awaitFinished(coordinator, conflicting, unchanged);
            } finally {
                worker.stop();
            }

            Job failed = coordinator.job(conflicting.id());
            assertThat(failed.state().wire()).isEqualTo("failed");
            assertThat(failed.error().code()).isEqualTo(NoteApplier.CONFLICT);
            assertThat(GitFixture.commitsForJob(bare, conflicting.id())).isZero();
            assertThat(fileAtHead(bare, "board.yaml")).contains("owner: carol\nstatus: open\n");
            assertThat(coordinator.job(unchanged.id()).state().wire())
                    .as("a file that did not change since the note was submitted is written as before")
                    .isEqualTo("done");
            assertThat(fileAtHead(bare, "other.yaml").orElseThrow())
                    .contains("a: 2")
                    .doesNotContain("a: 1");
            assertThat(GitFixture.history(bare).get(1)).isEqualTo(before);
        }
    }

    private static Job note(CoordinatorFixture coordinator, String kb, String user, String text, String path) {
        return coordinator
                .client()
                .submitNote(
                        KbId.of(kb),
                        NoteRequest.of(user, text).withTitle("Note of " + user).withPath(path));
    }

    private WorkerProcess worker(CoordinatorFixture coordinator, String id) {
        return WorkerFixture.start(
                vertx,
                WorkerFixture.config(
                        coordinator.url(),
                        id,
                        tmp.resolve("cache-" + id),
                        1,
                        Optional.empty(),
                        Duration.ofSeconds(30),
                        1),
                PhaseListener.NONE);
    }

    private static void awaitFinished(CoordinatorFixture coordinator, Job... jobs) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> java.util.Arrays.stream(jobs)
                        .allMatch(j -> coordinator.job(j.id()).state().terminal()));
    }

    /** Commits {@code files} to the remote's main with the given commit time, as another writer would. */
    private void push(String remote, String name, Map<String, String> files, Instant when) throws Exception {
        Path scratch = tmp.resolve("writer-" + name);
        try (Git work = Git.cloneRepository()
                .setURI(remote)
                .setDirectory(scratch.toFile())
                .call()) {
            for (Map.Entry<String, String> file : files.entrySet()) {
                Files.writeString(scratch.resolve(file.getKey()), file.getValue(), StandardCharsets.UTF_8);
                work.add().addFilepattern(file.getKey()).call();
            }
            PersonIdent who = new PersonIdent("other", "other@kbsync", when, ZoneOffset.UTC);
            work.commit()
                    .setMessage("Direct: " + name)
                    .setAuthor(who)
                    .setCommitter(who)
                    .call();
            work.push().setRemote("origin").add("main").call();
        }
    }

    private static Optional<String> fileAtHead(Path bare, String path) throws Exception {
        try (Git git = Git.open(bare.toFile());
                RevWalk walk = new RevWalk(git.getRepository())) {
            Repository repo = git.getRepository();
            RevCommit head = walk.parseCommit(repo.resolve("refs/heads/main"));
            try (TreeWalk tree = TreeWalk.forPath(repo, path, head.getTree())) {
                return tree == null
                        ? Optional.empty()
                        : Optional.of(new String(repo.open(tree.getObjectId(0)).getBytes(), StandardCharsets.UTF_8));
            }
        }
    }
}
