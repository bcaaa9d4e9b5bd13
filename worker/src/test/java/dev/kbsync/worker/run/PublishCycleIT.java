package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.FileChange;
import dev.kbsync.git.Author;
import dev.kbsync.git.GitAuth;
import dev.kbsync.worker.apply.AgentApplier;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.apply.StopSignal;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Jobs;
import dev.kbsync.worker.fixture.Scripts;
import dev.kbsync.worker.fixture.Tmpfs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PublishCycleIT {
    @TempDir
    Path tmp;

    private Path bare;
    private String remote;
    private KbCheckout checkout;

    @BeforeEach
    void setUp() {
        bare = tmp.resolve("remote.git");
        remote = GitFixture.bareRemote(bare);
        checkout = new KbCheckout(remote, "main", tmp.resolve("cache/team/work"), GitAuth.NONE);
    }

    @AfterEach
    void tearDown() {
        checkout.close();
    }

    @Test
    void shouldPublishOneCommitWithJobAndFenceTrailers() {
        Outcome outcome = cycle(5, PhaseListener.NONE).run(checkout, note("job-1", 7));

        assertThat(outcome).isInstanceOf(Outcome.Published.class);
        RevCommit head = GitFixture.history(bare).get(0);
        assertThat(head.getShortMessage()).isEqualTo("Add: Note job-1");
        assertThat(GitFixture.trailers(head))
                .containsEntry("Kbsync-Job", "job-1")
                .containsEntry("Kbsync-Fence", "7");
        assertThat(head.getAuthorIdent().getEmailAddress()).isEqualTo("alice@users.kbsync");
        assertThat(((Outcome.Published) outcome).files())
                .extracting(f -> f.path())
                .containsExactly("note-job-1.md");
    }

    @Test
    void shouldReapplyOnTopOfAConcurrentPushAndKeepBoth() {
        AtomicInteger raced = new AtomicInteger();
        PhaseListener racer = (phase, id) -> {
            if (phase == Phase.APPLIED && raced.getAndIncrement() == 0) {
                GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed meanwhile\n");
            }
        };

        Outcome outcome = cycle(5, racer).run(checkout, note("job-2", 8));

        assertThat(outcome.pushRejections()).isEqualTo(1);
        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history)
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note job-2", "Direct: other.md", "Initial commit");
        assertThat(history).allMatch(c -> c.getParentCount() <= 1);
    }

    /** A branch rewound on the remote between two cycles stays rewound: the next job lands on it alone. */
    @Test
    void shouldNotPutBackWhatARewindOfTheRemoteDropped() throws Exception {
        assertThat(cycle(5, PhaseListener.NONE).run(checkout, note("job-r1", 3)))
                .isInstanceOf(Outcome.Published.class);
        moveRemoteBranch(GitFixture.history(bare).get(1).getId());

        assertThat(cycle(5, PhaseListener.NONE).run(checkout, note("job-r2", 4)))
                .isInstanceOf(Outcome.Published.class);

        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note job-r2", "Initial commit");
    }

    /**
     * A branch deleted on the remote between two cycles is not made again from this checkout's history: the next job
     * starts it as a new clone would (here, the remote has no other branch: from nothing).
     */
    @Test
    void shouldNotMakeADeletedBranchAgainFromTheCheckoutsHistory() throws Exception {
        assertThat(cycle(5, PhaseListener.NONE).run(checkout, note("job-d1", 3)))
                .isInstanceOf(Outcome.Published.class);
        moveRemoteBranch(null);

        assertThat(cycle(5, PhaseListener.NONE).run(checkout, note("job-d2", 4)))
                .isInstanceOf(Outcome.Published.class);

        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note job-d2");
    }

    /** Points the remote's main at {@code commit}, or deletes it (null), as someone with access to it would. */
    private void moveRemoteBranch(org.eclipse.jgit.lib.ObjectId commit) throws Exception {
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.open(bare.toFile())) {
            org.eclipse.jgit.lib.RefUpdate update = git.getRepository().updateRef("refs/heads/main");
            update.setForceUpdate(true);
            if (commit == null) {
                update.delete();
            } else {
                update.setNewObjectId(commit);
                update.update();
            }
        }
    }

    @Test
    void shouldGiveUpWithPushRejectedAfterTheRetryBudget() {
        AtomicInteger pushes = new AtomicInteger();
        PhaseListener racer = (phase, id) -> {
            if (phase == Phase.APPLIED) {
                GitFixture.pushDirectly(
                        remote, tmp.resolve("other-" + pushes.incrementAndGet()), "o" + pushes.get() + ".md", "x\n");
            }
        };

        Outcome outcome = cycle(2, racer).run(checkout, note("job-3", 9));

        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        assertThat(((Outcome.Failed) outcome).error().code()).isEqualTo("PUSH_REJECTED");
        assertThat(outcome.pushRejections()).isEqualTo(3);
        assertThat(GitFixture.commitsForJob(bare, "job-3")).isZero();
    }

    @Test
    void shouldNotApplyAJobTwiceWhenTheRemoteAlreadyHasIt() {
        String first = ((Outcome.Published) cycle(5, PhaseListener.NONE).run(checkout, note("job-4", 10))).commit();

        // the same job under a later grant: its first grant (10) bounds the search
        Outcome again = cycle(5, PhaseListener.NONE)
                .run(checkout, new NoteUnit(note("job-4", 11).job(), 11, 10, () -> {}));

        assertThat(again).isInstanceOf(Outcome.AlreadyPublished.class);
        assertThat(((Outcome.AlreadyPublished) again).commit()).isEqualTo(first);
        assertThat(((Outcome.AlreadyPublished) again).files())
                .extracting(f -> f.path())
                .containsExactly("note-job-4.md");
        assertThat(GitFixture.commitsForJob(bare, "job-4")).isEqualTo(1);
    }

    @Test
    void shouldDropTheLeftoversOfACrashedCycle() throws Exception {
        cycle(5, PhaseListener.NONE).run(checkout, note("job-5", 12));
        Path work = tmp.resolve("cache/team/work");
        Files.writeString(work.resolve("half-written.md"), "partial");
        try (Git git = Git.open(work.toFile())) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("unpushed leftover").setAuthor("x", "x@x").call();
        }
        Files.writeString(work.resolve("README.md"), "dirty");
        Files.writeString(work.resolve(".git/index.lock"), "");

        cycle(5, PhaseListener.NONE).run(checkout, note("job-6", 13));

        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note job-6", "Add: Note job-5", "Initial commit");
        assertThat(work.resolve("half-written.md")).doesNotExist();
    }

    @Test
    void shouldNotPushWhenThePrePushCheckFails() {
        NoteUnit unit = new NoteUnit(Jobs.note("job-7", "alice", "text", "Note job-7", null), 14, () -> {
            throw new UnitAbortedException(UnitAbortedException.LEASE_LOST, "lost");
        });

        assertThatThrownBy(() -> cycle(5, PhaseListener.NONE).run(checkout, unit))
                .isInstanceOf(UnitAbortedException.class);
        assertThat(GitFixture.commitsForJob(bare, "job-7")).isZero();
    }

    @Test
    void shouldTellWhichUnitsWereAlreadyOnTheRemoteWhenThePrePushCheckStopsTheBatch() {
        String landed = ((Outcome.Published) cycle(5, PhaseListener.NONE).run(checkout, note("job-h", 30))).commit();
        NoteUnit head = new NoteUnit(Jobs.note("job-h", "alice", "text of job-h", "Note job-h", null), 30, () -> {
            throw new UnitAbortedException("WORKER_SHUTDOWN", "worker shut down before the push");
        });

        assertThatThrownBy(() -> cycle(5, PhaseListener.NONE).runAll(checkout, List.of(head, note("job-m", 32))))
                .isInstanceOfSatisfying(
                        UnitAbortedException.class,
                        e -> assertThat(e.landed())
                                .as("found on the remote before the stop: it landed, and is reported so")
                                .containsOnlyKeys("job-h")
                                .hasEntrySatisfying(
                                        "job-h",
                                        o -> assertThat(((Outcome.AlreadyPublished) o).commit())
                                                .isEqualTo(landed)));
        assertThat(GitFixture.commitsForJob(bare, "job-m")).isZero();
    }

    @Test
    void shouldTellWhichUnitsWereAlreadyOnTheRemoteWhenAnUnexpectedErrorEndsTheBatch() {
        String landed = ((Outcome.Published) cycle(5, PhaseListener.NONE).run(checkout, note("job-h", 30))).commit();
        PhaseListener buggy = (phase, id) -> {
            if (phase == Phase.PULLED && id.equals("job-m")) {
                throw new IllegalStateException("a bug");
            }
        };

        assertThatThrownBy(() -> cycle(5, buggy).runAll(checkout, List.of(note("job-h", 30), note("job-m", 32))))
                .isInstanceOfSatisfying(CycleFailedException.class, e -> {
                    assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
                    assertThat(e.landed())
                            .containsOnlyKeys("job-h")
                            .hasEntrySatisfying(
                                    "job-h",
                                    o -> assertThat(((Outcome.AlreadyPublished) o).commit())
                                            .isEqualTo(landed));
                });
        assertThatThrownBy(() -> cycle(5, buggy).run(checkout, note("job-m", 33)))
                .as("a single unit's caller (a library session) gets the error as it came")
                .isInstanceOf(IllegalStateException.class);
        assertThat(GitFixture.commitsForJob(bare, "job-m")).isZero();
    }

    /**
     * The push landed; writing the batch's index back afterwards (the checkout marked clean for the next cycle) failed
     * on a full disk (a real tmpfs, filled after the batch's last commit). The notes are on the remote: they read
     * published, never failed, and the next cycle, with space again, resets the checkout instead of trusting it.
     */
    @Test
    void shouldReportAPushThatLandedPublishedWhenMarkingTheCheckoutCleanFails() {
        checkout.close();
        try (Tmpfs disk = Tmpfs.mount(tmp.resolve("small"), 8)) {
            checkout = new KbCheckout(remote, "main", disk.dir().resolve("work"), GitAuth.NONE);
            cycle(5, PhaseListener.NONE).run(checkout, note("job-before", 39)); // the checkout exists
            PhaseListener fillTheDisk = (phase, id) -> {
                if (phase == Phase.COMMITTED && id.equals("job-j")) { // the batch's last commit: the push comes next
                    disk.fill(0);
                }
            };

            List<Outcome> outcomes =
                    cycle(5, fillTheDisk).runAll(checkout, List.of(note("job-i", 40), note("job-j", 41)));

            assertThat(outcomes).allMatch(o -> o instanceof Outcome.Published);
            assertThat(GitFixture.commitsForJob(bare, "job-i")).isOne();
            assertThat(GitFixture.commitsForJob(bare, "job-j")).isOne();
            disk.unfill();
            assertThat(cycle(5, PhaseListener.NONE).run(checkout, note("job-k", 42)))
                    .as("the next cycle")
                    .isInstanceOf(Outcome.Published.class);
            assertThat(GitFixture.commitsForJob(bare, "job-k")).isOne();
        }
    }

    /**
     * A push that failed in transport may have landed; when no sync can reach the remote to check, the job is not
     * failed as if it had not: it reads PUSH_UNCERTAIN (queued again while attempts remain, so that its next run finds
     * its commit), never PUSH_FAILED, which fails it at once.
     */
    @Test
    void shouldReportAPushWhoseLandingCannotBeCheckedAsUncertain() {
        cycle(5, PhaseListener.NONE).run(checkout, note("job-u0", 50)); // the checkout exists
        Path away = tmp.resolve("away.git");
        PhaseListener remoteGone = (phase, id) -> {
            if (phase == Phase.COMMITTED) { // the push and every check after it find no remote
                try {
                    Files.move(bare, away);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };

        Outcome outcome = cycle(2, remoteGone).run(checkout, note("job-u", 51));

        assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, failed -> {
            assertThat(failed.error().code()).isEqualTo("PUSH_UNCERTAIN");
            assertThat(failed.error().message()).contains("may have landed");
        });
    }

    @Test
    void shouldStartThePrePushCheckAfterTheLastApplyAndAwaitItAfterTheLastCommit() {
        List<String> events = new CopyOnWriteArrayList<>();
        PhaseListener phases = (phase, id) -> events.add(phase + " " + id);
        List<WorkUnit> units = List.of(note("a", 7), note("b", 8), note("c", 9)).stream()
                .map(unit -> (WorkUnit) new RecordedCheck(unit, events))
                .toList();

        List<Outcome> outcomes = cycle(5, phases).runAll(checkout, units);

        assertThat(outcomes).allMatch(o -> o instanceof Outcome.Published);
        assertThat(events)
                .containsSubsequence("APPLIED c", "check started a", "COMMITTED c", "check awaited a", "PUSHED a")
                .containsOnlyOnce("check started a", "check awaited a")
                .doesNotContain("check started b", "check started c");
    }

    @Test
    void shouldNotPushWhenAStartedPrePushCheckFails() {
        NoteUnit unit = new NoteUnit(Jobs.note("job-17", "alice", "text", "Note job-17", null), 14, () -> {
            throw new UnitAbortedException(UnitAbortedException.LEASE_LOST, "lost");
        });
        List<String> events = new CopyOnWriteArrayList<>();

        assertThatThrownBy(() -> cycle(5, PhaseListener.NONE).run(checkout, new RecordedCheck(unit, events)))
                .isInstanceOf(UnitAbortedException.class);
        assertThat(events).containsExactly("check started job-17", "check awaited job-17");
        assertThat(GitFixture.commitsForJob(bare, "job-17")).isZero();
    }

    @Test
    void shouldReCloneACheckoutWhoseGitDirectoryIsDestroyed() throws IOException {
        cycle(5, PhaseListener.NONE).run(checkout, note("job-8", 15));
        checkout.close();
        Path work = tmp.resolve("cache/team/work");
        Files.writeString(work.resolve(".git/HEAD"), "garbage");

        Outcome outcome = cycle(5, PhaseListener.NONE).run(checkout, note("job-9", 16));

        assertThat(outcome).isInstanceOf(Outcome.Published.class);
    }

    /**
     * An older commit missing from the checkout (not its head: the reset reads only the head's tree) breaks the walks
     * of its history (the exactly-once search, the fence): the checkout is cloned again, the job lands.
     */
    @Test
    void shouldReCloneACheckoutThatLostAnOlderCommit() throws IOException {
        String older = ((Outcome.Published) cycle(5, PhaseListener.NONE).run(checkout, note("job-10", 17))).commit();
        cycle(5, PhaseListener.NONE).run(checkout, note("job-11", 18));
        Path work = tmp.resolve("cache/team/work");
        Path object = work.resolve(".git/objects/" + older.substring(0, 2) + "/" + older.substring(2));
        assertThat(object).as("the checkout's own commit is a loose object").exists();
        Files.delete(object);

        Outcome outcome = cycle(5, PhaseListener.NONE).run(checkout, note("job-12", 19));

        assertThat(outcome).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.commitsForJob(bare, "job-12")).isEqualTo(1);
    }

    @Test
    void shouldLandABatchAsOneCommitPerUnitInOrderWithOnePush() {
        List<Outcome> outcomes =
                cycle(5, PhaseListener.NONE).runAll(checkout, List.of(note("a", 7), note("b", 8), note("c", 9)));

        assertThat(outcomes).allMatch(o -> o instanceof Outcome.Published && o.pushRejections() == 0);
        List<RevCommit> history = GitFixture.history(bare);
        assertThat(history)
                .extracting(c -> GitFixture.trailers(c).get("Kbsync-Fence"))
                .containsExactly("9", "8", "7", null);
        assertThat(outcomes)
                .extracting(o -> ((Outcome.Published) o).commit())
                .containsExactly(
                        history.get(2).name(),
                        history.get(1).name(),
                        history.get(0).name());
        assertThat(outcomes)
                .extracting(o -> ((Outcome.Published) o).files().get(0).path())
                .containsExactly("note-a.md", "note-b.md", "note-c.md");
    }

    /**
     * A submodule (a gitlink in HEAD) is checked out as an empty folder: a note into it clashes with the tree and
     * fails alone, the batch's other notes land.
     */
    @Test
    void shouldFailANoteIntoASubmoduleAloneAndLandTheRest() {
        GitFixture.pushGitlink(remote, tmp.resolve("other"), "sub");

        List<Outcome> outcomes = cycle(5, PhaseListener.NONE)
                .runAll(checkout, List.of(note("a", 7), noteAt("b", 8, "sub/x.md"), note("c", 9)));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Published.class);
        assertThat(outcomes.get(1))
                .isInstanceOfSatisfying(
                        Outcome.Failed.class,
                        failed -> assertThat(failed.error().code()).isEqualTo("INVALID_PATH"));
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note c", "Add: Note a", "Direct: submodule sub", "Initial commit");
    }

    /** An agent that swapped a folder for a file lands as one commit: the folder's files deleted, the file created. */
    @Test
    void shouldPublishAnAgentsSwapOfAFolderForAFile() {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "sub/inner.md", "inner\n");
        AgentApplier agent = new AgentApplier(
                Optional.of(Scripts.agent(tmp, "swap", "rm -r sub; echo x > sub", Duration.ofSeconds(30))));
        WorkUnit unit = new AgentRun(note("swap", 7), agent);

        Outcome outcome = cycle(5, PhaseListener.NONE).run(checkout, unit);

        assertThat(outcome)
                .isInstanceOfSatisfying(
                        Outcome.Published.class,
                        published -> assertThat(published.files())
                                .extracting(f -> f.path() + " " + f.change())
                                .containsExactlyInAnyOrder("sub CREATED", "sub/inner.md DELETED"));
        assertThat(GitFixture.history(bare).get(0).getShortMessage()).isEqualTo("Agent task: swap");
    }

    /** An agent that writes into a submodule's folder is refused alone, as a note there is. */
    @Test
    void shouldRefuseAnAgentsFileInASubmoduleAlone() {
        GitFixture.pushGitlink(remote, tmp.resolve("other"), "sub");
        AgentApplier agent = new AgentApplier(
                Optional.of(Scripts.agent(tmp, "into-sub", "mkdir -p sub; echo x > sub/x.md", Duration.ofSeconds(30))));

        List<Outcome> outcomes = cycle(5, PhaseListener.NONE)
                .runAll(checkout, List.of(note("a", 7), new AgentRun(note("b", 8), agent), note("c", 9)));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Published.class);
        assertThat(outcomes.get(1))
                .isInstanceOfSatisfying(
                        Outcome.Failed.class,
                        failed -> assertThat(failed.error().code()).isEqualTo("AGENT_UNSAFE_CHANGE"));
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Published.class);
    }

    @Test
    void shouldReapplyOnlyTheUnitsTheRemoteLacksWhenABatchPushIsRejected() {
        cycle(5, PhaseListener.NONE).run(checkout, note("a", 7));
        AtomicInteger raced = new AtomicInteger();
        PhaseListener racer = (phase, id) -> {
            if (phase == Phase.COMMITTED && id.equals("c") && raced.getAndIncrement() == 0) {
                GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed meanwhile\n");
            }
        };

        List<Outcome> outcomes = cycle(5, racer).runAll(checkout, List.of(note("a", 7), note("b", 8), note("c", 9)));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.AlreadyPublished.class);
        assertThat(outcomes.subList(1, 3)).allMatch(o -> o instanceof Outcome.Published && o.pushRejections() == 1);
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .containsExactly("Add: Note c", "Add: Note b", "Direct: other.md", "Add: Note a", "Initial commit");
    }

    @Test
    void shouldKeepAUnitFoundOnTheRemoteDoneWhenTheSyncAfterARejectedPushFails() {
        String landed = ((Outcome.Published) cycle(5, PhaseListener.NONE).run(checkout, note("a", 7))).commit();
        AtomicInteger raced = new AtomicInteger();
        PhaseListener racer = (phase, id) -> {
            if (phase == Phase.COMMITTED && id.equals("b") && raced.getAndIncrement() == 0) {
                GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed meanwhile\n");
                fetchFromNowhere(); // the push still reaches the remote (and is rejected), the re-sync's fetch fails
            }
        };

        List<Outcome> outcomes = cycle(5, racer).runAll(checkout, List.of(note("a", 7), note("b", 8)));

        assertThat(outcomes.get(0))
                .as("found on the remote by the first sync: it landed, whatever the re-sync does")
                .isInstanceOfSatisfying(
                        Outcome.AlreadyPublished.class,
                        o -> assertThat(o.commit()).isEqualTo(landed));
        assertThat(outcomes.get(1)).isInstanceOfSatisfying(Outcome.Failed.class, o -> {
            assertThat(o.error().code()).isEqualTo("PULL_FAILED");
            assertThat(o.pushRejections()).isEqualTo(1);
        });
        assertThat(GitFixture.commitsForJob(bare, "a")).isEqualTo(1);
        assertThat(GitFixture.commitsForJob(bare, "b")).isZero();
    }

    @Test
    void shouldTellWhichUnitsAnEarlierAttemptFoundOnTheRemoteWhenAnUnexpectedErrorEndsTheRetry() {
        String landed = ((Outcome.Published) cycle(5, PhaseListener.NONE).run(checkout, note("a", 7))).commit();
        AtomicInteger pulled = new AtomicInteger();
        PhaseListener racer = (phase, id) -> {
            if (phase == Phase.COMMITTED && id.equals("b") && pulled.get() == 1) {
                GitFixture.pushDirectly(remote, tmp.resolve("other"), "other.md", "pushed meanwhile\n");
            }
            if (phase == Phase.PULLED && id.equals("b") && pulled.incrementAndGet() == 2) {
                throw new IllegalStateException("a bug, in the retry before it reached a");
            }
        };

        assertThatThrownBy(() -> cycle(5, racer).runAll(checkout, List.of(note("b", 8), note("a", 7))))
                .isInstanceOfSatisfying(
                        CycleFailedException.class,
                        e -> assertThat(e.landed())
                                .as("found on the remote by the first attempt's sync: it landed")
                                .containsOnlyKeys("a")
                                .hasEntrySatisfying(
                                        "a",
                                        o -> assertThat(((Outcome.AlreadyPublished) o).commit())
                                                .isEqualTo(landed)));
        assertThat(GitFixture.commitsForJob(bare, "b")).isZero();
    }

    /**
     * A unit's new file that git leaves unstaged (an ignore rule its applier did not check) fails the unit with its
     * path named, the file removed, instead of reading done with nothing committed; the batch's other note lands.
     */
    @Test
    void shouldFailAUnitWhoseNewFileGitDidNotCommit() {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), ".gitignore", "ignored/\n");

        List<Outcome> outcomes = cycle(5, PhaseListener.NONE)
                .runAll(checkout, List.of(new BlindWrite(note("x", 7), "ignored/x.md"), note("y", 8)));

        assertThat(outcomes.get(0)).isInstanceOfSatisfying(Outcome.Failed.class, failed -> {
            assertThat(failed.error().code()).isEqualTo("INVALID_PATH");
            assertThat(failed.error().message()).contains("ignored/x.md");
        });
        assertThat(outcomes.get(1)).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.commitsForJob(bare, "x")).isZero();
        assertThat(tmp.resolve("cache/team/work/ignored/x.md")).doesNotExist();
    }

    /** The checkout fetches from a path that does not exist from now on, and pushes to the remote still. */
    private void fetchFromNowhere() {
        try (Git git = Git.open(tmp.resolve("cache/team/work").toFile())) {
            StoredConfig config = git.getRepository().getConfig();
            config.setString(
                    "remote", "origin", "url", tmp.resolve("gone.git").toUri().toString());
            config.setString("remote", "origin", "pushurl", remote);
            config.save();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A note unit's identity and fence with an agent's task ({@code swap}) applied instead of the note. */
    private record AgentRun(NoteUnit unit, AgentApplier agent) implements WorkUnit {
        @Override
        public String id() {
            return unit.id();
        }

        @Override
        public Author author() {
            return unit.author();
        }

        @Override
        public Map<String, String> trailers() {
            return unit.trailers();
        }

        @Override
        public Optional<Fencing> fencing() {
            return unit.fencing();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            return agent.apply(workTree, Jobs.agent(unit.id(), "alice", "swap"), Jobs.KB, StopSignal.never(), names);
        }

        @Override
        public void checkBeforePush() {}
    }

    /** A note unit's identity and fence that writes a new file at {@code path} with no check of git's ignore rules. */
    private record BlindWrite(NoteUnit unit, String path) implements WorkUnit {
        @Override
        public String id() {
            return unit.id();
        }

        @Override
        public Author author() {
            return unit.author();
        }

        @Override
        public Map<String, String> trailers() {
            return unit.trailers();
        }

        @Override
        public Optional<Fencing> fencing() {
            return unit.fencing();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            try {
                Files.createDirectories(workTree.resolve(path).getParent());
                Files.writeString(workTree.resolve(path), "text of " + id() + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ApplyResult.Changed(
                    "Add: " + path, List.of(new FileChange(path, FileChange.Change.CREATED, null)));
        }

        @Override
        public void checkBeforePush() {}
    }

    /** A unit whose pre-push check is started ahead and awaited later, recording both (the check itself is the unit's). */
    private record RecordedCheck(WorkUnit unit, List<String> events) implements WorkUnit {
        @Override
        public String id() {
            return unit.id();
        }

        @Override
        public Author author() {
            return unit.author();
        }

        @Override
        public Map<String, String> trailers() {
            return unit.trailers();
        }

        @Override
        public Optional<Fencing> fencing() {
            return unit.fencing();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            return unit.apply(workTree, names);
        }

        @Override
        public void checkBeforePush() {
            events.add("check run synchronously " + id());
            unit.checkBeforePush();
        }

        @Override
        public PrePushCheck startCheckBeforePush() {
            events.add("check started " + id());
            return () -> {
                events.add("check awaited " + id());
                unit.checkBeforePush();
            };
        }
    }

    private static NoteUnit note(String id, long fence) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, null), fence);
    }

    private static NoteUnit noteAt(String id, long fence, String path) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, path), fence);
    }

    private static PublishCycle cycle(int retries, PhaseListener listener) {
        return new PublishCycle(new PushRetry(retries, Duration.ofMillis(10)), listener, d -> {});
    }
}
