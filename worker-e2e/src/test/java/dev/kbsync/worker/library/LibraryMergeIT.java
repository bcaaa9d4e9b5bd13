package dev.kbsync.worker.library;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.kbsync.lock.LocalKbLock;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.run.Outcome;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two library sessions write the same file at once in degraded mode (no coordinator: only each process's local lock,
 * so nothing serializes them), against a real bare remote: the second push is rejected, and its writes are merged
 * into the first one's commit when the edits do not overlap, and refused with a typed conflict when they do; never
 * written whole over the first one's.
 */
class LibraryMergeIT {
    private static final String LINES = "one\ntwo\nthree\nfour\nfive\nsix\n";

    @TempDir
    Path tmp;

    private Vertx vertx;
    private Path bare;
    private String remote;
    private URI nobody;

    @BeforeEach
    void setUp() throws IOException {
        vertx = Vertx.vertx();
        bare = tmp.resolve("lib.git");
        remote = GitFixture.bareRemote(bare);
        GitFixture.pushDirectly(remote, tmp.resolve("seed"), "notes.md", LINES);
        try (ServerSocket free = new ServerSocket(0)) {
            nobody = URI.create("http://127.0.0.1:" + free.getLocalPort());
        }
    }

    @AfterEach
    void tearDown() {
        CoordinatorFixture.await(vertx.close());
    }

    @Test
    void shouldMergeEditsThatDoNotOverlap() throws Exception {
        try (Kbsync alice = kbsync("alice");
                Kbsync bob = kbsync("bob");
                KbSession first = alice.open("lib", "edit_top");
                KbSession second = bob.open("lib", "edit_bottom")) {
            assertThat(first.degraded()).isTrue();
            first.write("notes.md", LINES.replace("one\n", "ONE\n"));
            second.write("notes.md", LINES.replace("six\n", "SIX\n"));

            assertThat(first.commitAndPush("Edit top")).isInstanceOf(Outcome.Published.class);
            Outcome merged = second.commitAndPush("Edit bottom");

            assertThat(merged).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("notes.md")).isEqualTo("ONE\ntwo\nthree\nfour\nfive\nSIX\n");
    }

    @Test
    void shouldRefuseOverlappingEditsWithATypedConflictAndKeepTheFirstWriters() throws Exception {
        try (Kbsync alice = kbsync("alice");
                Kbsync bob = kbsync("bob");
                KbSession first = alice.open("lib", "edit_a");
                KbSession second = bob.open("lib", "edit_b")) {
            first.write("notes.md", LINES.replace("three\n", "THREE by alice\n"));
            second.write("notes.md", LINES.replace("three\n", "three by bob\n"));
            second.write("other.md", "bob's other file\n");

            first.commitAndPush("Alice's edit");

            assertThatThrownBy(() -> second.commitAndPush("Bob's edit"))
                    .isInstanceOfSatisfying(
                            SessionConflictException.class,
                            e -> assertThat(e.paths()).containsExactly("notes.md"));
            // the session now shows the first writer's version; redone over it, the write goes through
            assertThat(Files.readString(second.checkout().resolve("notes.md"))).contains("THREE by alice");
            second.write("notes.md", Files.readString(second.checkout().resolve("notes.md")) + "seven\n");
            assertThat(second.commitAndPush("Bob's edit, redone")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("notes.md")).isEqualTo(LINES.replace("three\n", "THREE by alice\n") + "seven\n");
        assertThat(remoteFile("other.md")).isNull();
    }

    @Test
    void shouldRefuseAnEditOfAFileTheOtherWriterDeleted() throws Exception {
        try (Kbsync alice = kbsync("alice");
                Kbsync bob = kbsync("bob");
                KbSession first = alice.open("lib", "delete");
                KbSession second = bob.open("lib", "edit")) {
            first.delete("notes.md");
            second.write("notes.md", LINES + "seven\n");

            first.commitAndPush("Delete notes");

            assertThatThrownBy(() -> second.commitAndPush("Edit notes")).isInstanceOf(SessionConflictException.class);
        }
        assertThat(remoteFile("notes.md")).isNull();
    }

    /**
     * A write made before another writer's {@code .gitignore} excluded its path: git would not commit it over the new
     * head, so the session's push is refused ({@code INVALID_PATH}, the write named) rather than published without it
     * (the next sync's clean would then delete it unseen); deleting the write, the bot publishes the rest.
     */
    @Test
    void shouldRefuseAWriteThatTheOtherWritersGitignoreNowExcludes() throws Exception {
        try (Kbsync alice = kbsync("alice");
                Kbsync bob = kbsync("bob");
                KbSession first = alice.open("lib", "ignore_logs");
                KbSession second = bob.open("lib", "log")) {
            first.write(".gitignore", "*.log\n");
            second.write("run.log", "ran\n");
            second.write("other.md", "bob's other file\n");

            assertThat(first.commitAndPush("Ignore logs")).isInstanceOf(Outcome.Published.class);

            assertThat(second.commitAndPush("Add run log")).isInstanceOfSatisfying(Outcome.Failed.class, failed -> {
                assertThat(failed.error().code()).isEqualTo("INVALID_PATH");
                assertThat(failed.error().message()).contains("run.log", ".gitignore");
            });
            second.delete("run.log");
            assertThat(second.commitAndPush("Add the other file")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("other.md")).isEqualTo("bob's other file\n");
        assertThat(remoteFile("run.log")).isNull();
    }

    /**
     * A push refused before anything was replayed (another writer's {@code .gitignore} now excludes one of the writes):
     * the checkout still shows the kept writes, so a bot that reads one of them back to append to it keeps what it
     * wrote before (the sync had reset the tree to the new head, and the append overwrote the kept write).
     */
    @Test
    void shouldShowTheKeptWritesInTheCheckoutAfterAFailedCycleThatReplayedNothing() throws Exception {
        try (Kbsync alice = kbsync("alice");
                KbSession session = alice.open("lib", "append")) {
            session.write("b.md", "B1\n");
            session.write("a.md", "A\n");
            GitFixture.pushDirectly(remote, tmp.resolve("other"), ".gitignore", "a.md\n");

            assertThat(session.commitAndPush("Add a and b"))
                    .isInstanceOfSatisfying(
                            Outcome.Failed.class,
                            failed -> assertThat(failed.error().code()).isEqualTo("INVALID_PATH"));
            session.delete("a.md");
            Path b = session.checkout().resolve("b.md");
            session.write("b.md", (Files.exists(b) ? Files.readString(b) : "") + "B2\n");

            assertThat(session.commitAndPush("Append to b")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("b.md")).isEqualTo("B1\nB2\n");
        assertThat(remoteFile("a.md")).isNull();
        assertThat(remoteFile(".gitignore")).isEqualTo("a.md\n");
    }

    /** A session closed with writes it never published drops them, and says so (they were silently lost before). */
    @Test
    void shouldSayWhichWritesAClosedSessionDropped() throws Exception {
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        Logger logger = (Logger) LoggerFactory.getLogger(KbSession.class);
        logger.addAppender(logs);
        try (Kbsync alice = kbsync("alice")) {
            try (KbSession session = alice.open("lib", "forgetful")) {
                session.write("draft.md", "draft\n");
                session.delete("notes.md");
            }
            try (KbSession published = alice.open("lib", "tidy")) {
                published.write("kept.md", "kept\n");
                published.commitAndPush("Add kept");
            }
        } finally {
            logger.detachAppender(logs);
        }
        assertThat(logs.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("forgetful", "lib", "2 write(s)", "draft.md", "notes.md");
        });
        assertThat(remoteFile("draft.md")).isNull();
        assertThat(remoteFile("notes.md")).isEqualTo(LINES);
    }

    /**
     * Both deleted the file, and the other writer made a folder of its path: the deletes agree, so the session's other
     * writes are merged and published, the folder kept (before, writing the merged result over the folder threw, on
     * every later call of the session too).
     */
    @Test
    void shouldPublishADeleteOfAFileTheOtherWriterTurnedIntoAFolder() throws Exception {
        try (Kbsync alice = kbsync("alice");
                Kbsync bob = kbsync("bob");
                KbSession first = alice.open("lib", "split");
                KbSession second = bob.open("lib", "drop")) {
            first.delete("notes.md");
            first.write("notes.md/one.md", "one\n");
            second.delete("notes.md");
            second.write("other.md", "bob's other file\n");

            assertThat(first.commitAndPush("Split notes")).isInstanceOf(Outcome.Published.class);

            assertThat(second.commitAndPush("Drop notes")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("notes.md/one.md")).isEqualTo("one\n");
        assertThat(remoteFile("other.md")).isEqualTo("bob's other file\n");
    }

    /**
     * The merge's base is the commit the session wrote over, not one computed from the history: a line the remote
     * dropped since (its branch rewound past the commit that added it) stays dropped.
     */
    @Test
    void shouldMergeOverTheSessionsBaseWhenTheRemoteWasRewound() throws Exception {
        ObjectId before;
        try (Repository repo =
                new FileRepositoryBuilder().setGitDir(bare.toFile()).build()) {
            before = repo.resolve("refs/heads/main");
        }
        GitFixture.pushDirectly(remote, tmp.resolve("leak"), "notes.md", LINES.replace("three\n", "three\nSECRET\n"));
        try (Kbsync alice = kbsync("alice");
                KbSession session = alice.open("lib", "append")) {
            rewind(before);
            Path notes = session.checkout().resolve("notes.md");
            session.write("notes.md", Files.readString(notes) + "seven\n");

            assertThat(session.commitAndPush("Append seven")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("notes.md")).isEqualTo(LINES + "seven\n");
    }

    @Test
    void shouldKeepTheWritesOfAFailedCycleForTheNextCommitAndPush() throws Exception {
        Path away = tmp.resolve("lib.git.away");
        try (Kbsync alice = kbsync("alice");
                KbSession session = alice.open("lib", "add_a")) {
            session.write("a.md", "alpha\n");
            Outcome failed;
            Files.move(bare, away); // the remote is unreachable
            try {
                failed = session.commitAndPush("Add a");
            } finally {
                Files.move(away, bare);
            }
            assertThat(failed)
                    .isInstanceOfSatisfying(
                            Outcome.Failed.class,
                            f -> assertThat(f.error().code()).isEqualTo("PULL_FAILED"));
            // another writer pushed meanwhile: the kept writes (and one made since) are merged into its head
            GitFixture.pushDirectly(remote, tmp.resolve("other"), "notes.md", LINES + "seven\n");
            session.write("b.md", "beta\n");

            assertThat(session.commitAndPush("Add a")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("a.md")).isEqualTo("alpha\n");
        assertThat(remoteFile("b.md")).isEqualTo("beta\n");
        assertThat(remoteFile("notes.md")).isEqualTo(LINES + "seven\n");
    }

    @Test
    void shouldMergeWritesAfterAFailedCycleOverWhatTheCheckoutShows() throws Exception {
        Path refLock = bare.resolve("refs/heads/main.lock");
        try (Kbsync alice = kbsync("alice");
                KbSession session = alice.open("lib", "tidy")) {
            session.write("a.md", "alpha\n");
            GitFixture.pushDirectly(remote, tmp.resolve("other"), "todo.md", "buy milk\n");
            Files.writeString(refLock, ""); // the remote's branch cannot be updated: the push fails
            Outcome failed;
            try {
                failed = session.commitAndPush("Add a");
            } finally {
                Files.delete(refLock);
            }
            assertThat(failed).isInstanceOf(Outcome.Failed.class);
            // the checkout shows the other writer's file: the bot deletes it, and that must not be lost
            assertThat(session.checkout().resolve("todo.md")).exists();
            session.delete("todo.md");

            assertThat(session.commitAndPush("Add a, drop todo")).isInstanceOf(Outcome.Published.class);
        }
        assertThat(remoteFile("a.md")).isEqualTo("alpha\n");
        assertThat(remoteFile("todo.md")).isNull();
    }

    @Test
    void shouldRefuseWritesAndPushesOnAClosedSession() throws Exception {
        try (Kbsync alice = kbsync("alice")) {
            KbSession session = alice.open("lib", "late");
            session.close();
            assertThatThrownBy(() -> session.write("late.md", "late\n"))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("session closed");
            assertThatThrownBy(() -> session.delete("notes.md")).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> session.commitAndPush("Late")).isInstanceOf(IllegalStateException.class);
            session.close(); // safe twice
            assertThat(session.checkout().resolve("late.md")).doesNotExist();
            assertThat(session.checkout().resolve("notes.md")).exists();
        }
        assertThat(remoteFile("notes.md")).isEqualTo(LINES);
    }

    @Test
    void shouldCloseTheOpenSessionsWhenClosed() throws Exception {
        Path lockDir = tmp.resolve("cache-alice").resolve("lib");
        KbSession session;
        try (Kbsync alice = kbsync("alice")) {
            session = alice.open("lib", "left_open");
        }
        assertThatThrownBy(() -> session.write("late.md", "late\n")).isInstanceOf(IllegalStateException.class);
        try (LocalKbLock.Handle next = LocalKbLock.shared().acquire(lockDir, "next", Duration.ZERO)) {
            assertThat(next.operation()).isEqualTo("next");
        }
    }

    /** Force-moves the remote's branch back to {@code commit}, as a force push dropping the commits after it does. */
    private void rewind(ObjectId commit) throws IOException {
        try (Repository repo =
                new FileRepositoryBuilder().setGitDir(bare.toFile()).build()) {
            RefUpdate update = repo.updateRef("refs/heads/main");
            update.setNewObjectId(commit);
            assertThat(update.forceUpdate()).isEqualTo(RefUpdate.Result.FORCED);
        }
    }

    /** An open still waiting for the KB when the instance is closed hands out no session, and leaves the lock free. */
    @Test
    void shouldRefuseASessionWhoseOpenCompletesAfterClose() throws Exception {
        Path lockDir = Files.createDirectories(tmp.resolve("cache-alice").resolve("lib"));
        CompletableFuture<KbSession> opened;
        try (LocalKbLock.Handle gc = LocalKbLock.shared().acquire(lockDir, "git_gc")) {
            Kbsync alice = kbsync("alice");
            opened = CompletableFuture.supplyAsync(() -> alice.open("lib", "late_open"));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> LocalKbLock.shared().waiting(lockDir) == 1);
            alice.close();
            assertThat(gc.operation()).isEqualTo("git_gc"); // the open still waits for this lock
        }
        AtomicReference<KbSession> returned = new AtomicReference<>();
        Throwable refused = catchThrowable(() -> returned.set(opened.get(30, TimeUnit.SECONDS)));
        assertThat(refused)
                .as("refused, not returned: %s", returned.get())
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
        try (LocalKbLock.Handle next = LocalKbLock.shared().acquire(lockDir, "next", Duration.ZERO)) {
            assertThat(next.operation()).isEqualTo("next");
        }
    }

    private String remoteFile(String path) throws Exception {
        Path clone = Files.createTempDirectory(tmp, "check");
        try (Git git = Git.cloneRepository()
                .setURI(remote)
                .setDirectory(clone.toFile())
                .call()) {
            Path file = clone.resolve(path);
            return Files.exists(file) ? Files.readString(file) : null;
        }
    }

    private Kbsync kbsync(String name) {
        return Bots.bot(vertx, nobody, tmp.resolve("cache-" + name), remote);
    }
}
