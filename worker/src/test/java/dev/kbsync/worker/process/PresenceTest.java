package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.worker.fixture.Jobs;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PresenceTest {
    private final Presence presence =
            new Presence("h", 2, Set.of(JobKind.NOTE), Clock.fixed(Instant.EPOCH, ZoneOffset.UTC));

    @Test
    void shouldCountALoopWhoseJobWaitsOutsideThePollSlotsAndGiveItsNumberToTheNewestWhenItEnds() {
        Seat first = presence.join().orElseThrow();
        Seat second = presence.join().orElseThrow();
        presence.polling(first);
        presence.running(second, assignment("a", "j1"));
        Seat third = presence.join().orElseThrow(); // polls in place of the waiting job's loop
        presence.polling(third);

        WorkerPresence waiting = presence.snapshot();
        assertThat(waiting.slots()).isEqualTo(3);
        assertThat(waiting.idleSlots()).isEqualTo(2);
        assertThat(waiting.running())
                .extracting(WorkerPresence.RunningJob::slot)
                .containsExactly(2);

        presence.finished(second, KbId.of("a"), "abcd1234");
        presence.leave(second);
        presence.running(third, assignment("b", "j2"));
        WorkerPresence after = presence.snapshot();
        assertThat(after.slots()).isEqualTo(2);
        assertThat(after.idleSlots()).isEqualTo(1);
        assertThat(after.running())
                .as("the newest loop took the number of the one that ended")
                .containsExactly(new WorkerPresence.RunningJob(2, KbId.of("b"), "j2", Instant.EPOCH));
    }

    @Test
    void shouldReportTheConfiguredSlotsOnceItsLoopsEnded() {
        Seat only = presence.join().orElseThrow();
        presence.leave(only);
        presence.draining();
        assertThat(presence.snapshot().slots()).isEqualTo(2);
        assertThat(presence.snapshot().idleSlots()).isZero();
    }

    @Test
    void shouldBoundTheJobsWaitingOutsideTheSlotsWithinThePresencesSlots() {
        assertThat(PollLoops.maxWaiting(2)).isEqualTo(8);
        assertThat(PollLoops.maxWaiting(16)).isEqualTo(48);
        assertThat(PollLoops.maxWaiting(64)).isZero();
        for (int i = 0; i < Presence.MAX_SLOTS; i++) {
            assertThat(presence.join()).isPresent();
        }
        assertThat(presence.join()).isEmpty();
    }

    private static Assignment assignment(String kb, String job) {
        Lease lease = new Lease(
                kb + "~" + job + ".1",
                KbId.of(kb),
                "w1",
                LeaseState.GRANTED,
                0,
                1L,
                job,
                Instant.EPOCH,
                Instant.EPOCH,
                Instant.EPOCH,
                30_000);
        return new Assignment(
                lease,
                Jobs.note(job, "alice", "text", null, null),
                new KbConfig(KbId.of(kb), "file:///" + kb + ".git", "main"));
    }
}
