package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kbsync.api.JobError;
import dev.kbsync.git.Author;
import dev.kbsync.git.GitException;
import dev.kbsync.git.RemoteUnavailableException;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.fixture.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RemoteOutageTest {
    private static final RemoteUnavailableException DOWN =
            new RemoteUnavailableException("Git error during fetch: https://h/kb.git: 503 Service Unavailable", null);

    private final AtomicInteger told = new AtomicInteger();
    private final RemoteOutage outage = new RemoteOutage(stats -> {});

    @Test
    void shouldDoubleThePauseFromOneSecondUpToThirtyWithJitter() {
        Unit unit = new Unit(20);
        RemoteOutage counted = counted();

        for (int i = 0; i < 8; i++) {
            assertThat(counted.waitAgain(unit, DOWN)).isTrue();
        }

        long[] base = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
        for (int i = 0; i < base.length; i++) {
            assertThat(unit.pauses.get(i).toMillis()).as("pause %d", i + 1).isBetween(base[i] * 4 / 5, base[i] * 6 / 5);
        }
        assertThat(told).hasValue(8);
    }

    /** What a waiting unit says it is doing: since when and how often the remote failed, counted anew after it answered. */
    @Test
    void shouldTellTheUnitSinceWhenTheRemoteFailsAndWhenItAnswersAgain() {
        Unit unit = new Unit(20);
        TestClock clock = new TestClock(Instant.parse("2026-12-06T05:00:00Z"));
        RemoteOutage timed = new RemoteOutage(stats -> {}, clock);

        timed.answered(unit);
        assertThat(unit.answered).as("no wait, nothing to tell").hasValue(0);
        timed.waitAgain(unit, DOWN);
        clock.advance(Duration.ofSeconds(1));
        timed.waitAgain(unit, DOWN);
        timed.answered(unit);
        timed.answered(unit);
        clock.advance(Duration.ofSeconds(60));
        timed.waitAgain(unit, DOWN);

        assertThat(unit.waits)
                .extracting(RemoteWait::since, RemoteWait::tries)
                .containsExactly(
                        tuple(Instant.parse("2026-12-06T05:00:00Z"), 1),
                        tuple(Instant.parse("2026-12-06T05:00:00Z"), 2),
                        tuple(Instant.parse("2026-12-06T05:01:01Z"), 1));
        assertThat(unit.answered).as("once per wait").hasValue(1);
        assertThat(unit.waits.get(2).pause())
                .as("the pauses keep growing for the whole cycle")
                .isGreaterThan(Duration.ofMillis(3000));
    }

    @Test
    void shouldFailRemoteUnavailableNamingTheLastErrorOnceTheUnitGaveUp() {
        Unit unit = new Unit(2);
        RemoteOutage counted = counted();

        assertThat(counted.waitAgain(unit, DOWN)).isTrue();
        assertThat(counted.waitAgain(unit, DOWN)).isTrue();
        assertThat(counted.waitAgain(unit, DOWN)).as("the unit's time is up").isFalse();

        Outcome.Failed failed = counted.failure(DOWN, 1).orElseThrow();
        JobError error = failed.error();
        assertThat(error.code()).isEqualTo("REMOTE_UNAVAILABLE");
        assertThat(error.message()).contains("(3 tries)").endsWith("Last: " + DOWN.getMessage());
        assertThat(failed.pushRejections()).isEqualTo(1);
    }

    @Test
    void shouldNotWaitForAUnitThatDoesNotAndKeepItsUsualError() {
        Unit unit = new Unit(0) {
            @Override
            public boolean waitsForRemote() {
                return false;
            }
        };

        assertThat(outage.waitAgain(unit, DOWN)).isFalse();

        assertThat(unit.pauses).isEmpty();
        assertThat(outage.failure(DOWN, 0)).isEmpty();
    }

    @Test
    void shouldKeepTheUsualErrorForAFailureThatIsNotAnOutage() {
        Unit unit = new Unit(20);
        RemoteOutage counted = counted();
        counted.waitAgain(unit, DOWN);

        assertThat(counted.failure(new GitException("Git error during fetch: not a repository", null), 0))
                .isEmpty();
    }

    private RemoteOutage counted() {
        return new RemoteOutage(new CycleObserver() {
            @Override
            public void ended(CycleStats stats) {}

            @Override
            public void remoteUnavailable() {
                told.incrementAndGet();
            }
        });
    }

    /** A unit that waits for its remote: records each pause (without sleeping), gives up after {@code budget}. */
    private static class Unit implements WorkUnit {
        final List<Duration> pauses = new ArrayList<>();
        final List<RemoteWait> waits = new ArrayList<>();
        final AtomicInteger answered = new AtomicInteger();
        private final int budget;

        Unit(int budget) {
            this.budget = budget;
        }

        @Override
        public boolean waitsForRemote() {
            return true;
        }

        @Override
        public boolean pauseForRemote(RemoteWait wait) {
            if (pauses.size() >= budget) {
                return false;
            }
            pauses.add(wait.pause());
            waits.add(wait);
            return true;
        }

        @Override
        public void remoteAnswered() {
            answered.incrementAndGet();
        }

        @Override
        public String id() {
            return "kb~unit";
        }

        @Override
        public Author author() {
            return new Author("Ada", "ada@example.org");
        }

        @Override
        public Map<String, String> trailers() {
            return Map.of();
        }

        @Override
        public Optional<Fencing> fencing() {
            return Optional.empty();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void checkBeforePush() {}
    }
}
