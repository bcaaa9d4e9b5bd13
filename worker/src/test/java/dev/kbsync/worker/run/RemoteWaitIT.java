package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.Author;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.GitHttpServer;
import dev.kbsync.worker.fixture.Jobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose push service is down while its fetches work (its receive side degraded) is waited for with growing
 * pauses too: a fetch that works between two refused pushes does not start the pauses over, which would try the
 * struggling host every second for the whole grant.
 */
class RemoteWaitIT {
    @TempDir
    Path tmp;

    @Test
    void shouldGrowThePausesWhilePushesFailAndFetchesWork() throws Exception {
        Path bare = tmp.resolve("remotes/team.git");
        GitFixture.bareRemote(bare);
        try (GitHttpServer server = new GitHttpServer(tmp.resolve("remotes"), "pw"::equals);
                KbCheckout checkout = checkout(server)) {
            PublishCycle cycle = cycleWithFirstNoteLanded(checkout);
            server.pushOutage(503);
            Waiting unit = new Waiting(note("job-2", 6), Duration.ofSeconds(6));

            Outcome outcome = cycle.run(checkout, unit);

            assertThat(outcome).isInstanceOf(Outcome.Failed.class);
            // its last push failed in transport, and no sync could tell after it whether the pack got through
            assertThat(((Outcome.Failed) outcome).error().code()).isEqualTo("PUSH_UNCERTAIN");
            assertThat(((Outcome.Failed) outcome).error().message()).contains("could not be reached");
            assertThat(unit.pauses).hasSizeGreaterThanOrEqualTo(2);
            for (int i = 1; i < unit.pauses.size(); i++) {
                assertThat(unit.pauses.get(i))
                        .as("pause %d of %s", i + 1, unit.pauses)
                        .isGreaterThan(unit.pauses.get(i - 1));
            }
            assertThat(GitFixture.commitsForJob(bare, "job-2")).isZero();
        }
    }

    /**
     * A push that went through but whose answer was lost, after which the remote stays unreachable until the unit must
     * stop: the note may well be on the remote, so the job's end says so (PUSH_UNCERTAIN, whose final error tells the
     * user to look before submitting again), not REMOTE_UNAVAILABLE as if nothing had been sent.
     */
    @Test
    void shouldReportAPushWhoseAnswerWasLostAsUncertainWhenTheRemoteStaysDownUntilTheUnitStops() throws Exception {
        Path bare = tmp.resolve("remotes/team.git");
        GitFixture.bareRemote(bare);
        try (GitHttpServer server = new GitHttpServer(tmp.resolve("remotes"), "pw"::equals);
                KbCheckout checkout = checkout(server)) {
            PublishCycle cycle = cycleWithFirstNoteLanded(checkout);
            server.dropPushReplies(true);
            server.failAfterDroppedPush(100_000); // down (500) from the lost answer on
            Waiting unit = new Waiting(note("job-2", 6), Duration.ofSeconds(3));

            Outcome outcome = cycle.run(checkout, unit);

            assertThat(GitFixture.commitsForJob(bare, "job-2"))
                    .as("the push went through")
                    .isOne();
            assertThat(outcome).isInstanceOfSatisfying(Outcome.Failed.class, failed -> {
                assertThat(failed.error().code()).as(failed.error().message()).isEqualTo("PUSH_UNCERTAIN");
                assertThat(failed.error().message()).contains("may have landed");
            });
            assertThat(unit.pauses).as("the unit waited for the remote").isNotEmpty();
        }
    }

    private KbCheckout checkout(GitHttpServer server) {
        return new KbCheckout(
                server.url("team.git"),
                "main",
                tmp.resolve("cache/team/work"),
                GitAuth.fixed(new GitCredentials("kbsync", "pw")));
    }

    /** A publish cycle that retries fast, after a first note landed (the checkout exists). */
    private static PublishCycle cycleWithFirstNoteLanded(KbCheckout checkout) {
        PublishCycle cycle = new PublishCycle(new PushRetry(5, Duration.ofMillis(10)), PhaseListener.NONE, stats -> {});
        cycle.run(checkout, note("job-1", 5));
        return cycle;
    }

    private static NoteUnit note(String id, long fence) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, null), fence);
    }

    /** A note unit that waits for its remote for real, up to {@code budget} in all, and records each pause. */
    private static final class Waiting implements WorkUnit {
        final List<Duration> pauses = new ArrayList<>();
        private final NoteUnit note;
        private final long until;

        Waiting(NoteUnit note, Duration budget) {
            this.note = note;
            this.until = System.nanoTime() + budget.toNanos();
        }

        @Override
        public boolean waitsForRemote() {
            return true;
        }

        @Override
        public boolean pauseForRemote(RemoteWait wait) {
            Duration pause = wait.pause();
            if (System.nanoTime() + pause.toNanos() > until) {
                return false;
            }
            pauses.add(pause);
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }

        @Override
        public String id() {
            return note.id();
        }

        @Override
        public Author author() {
            return note.author();
        }

        @Override
        public Map<String, String> trailers() {
            return note.trailers();
        }

        @Override
        public Optional<Fencing> fencing() {
            return note.fencing();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            return note.apply(workTree, names);
        }

        @Override
        public void checkBeforePush() {
            note.checkBeforePush();
        }
    }
}
