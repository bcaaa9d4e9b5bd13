package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class WorkersViewTest {
    private static final Instant NOW = Instant.parse("2026-11-29T07:10:00Z");

    @Test
    void shouldShowEachWorkerItsRunningJobsAndItsNewestCheckouts() {
        WorkerPresence busy = new WorkerPresence(
                "srv-2",
                "0.1.0",
                2,
                1,
                false,
                List.of(new WorkerPresence.RunningJob(2, KbId.of("team"), "7f3c9a", NOW.minusSeconds(12))),
                List.of(
                        new WorkerPresence.Checkout(KbId.of("team"), "9d1e0c4a1b", NOW.minusSeconds(90)),
                        new WorkerPresence.Checkout(KbId.of("handbook"), null, NOW.minusSeconds(7200))),
                NOW.minusSeconds(3600),
                EnumSet.of(JobKind.NOTE));
        WorkerPresence stopping = new WorkerPresence(
                "srv-3", "0.1.0", 1, 0, true, List.of(), List.of(), NOW.minusSeconds(60), WorkerPresence.EVERY_KIND);

        String text = WorkersView.render(
                List.of(
                        new Worker("w-1", Worker.State.UP, NOW.minusMillis(400), NOW.plusSeconds(29), busy),
                        new Worker("w-2", Worker.State.GONE, NOW.minusSeconds(45), NOW.minusSeconds(15), stopping)),
                NOW);

        assertThat(text.lines())
                .containsExactly(
                        "w-1  up  srv-2  v0.1.0  2 slots, 1 idle, notes only (no agent)  seen 0.4 s ago",
                        "  slot 2: job 7f3c9a on team for 12.0 s",
                        "  checkouts: team@9d1e0c4 (1 min ago), handbook@? (2 h ago)",
                        "w-2  gone (draining)  srv-3  v0.1.0  1 slots, 0 idle  seen 45.0 s ago");
    }

    @Test
    void shouldSayWhenNoWorkerIsKnown() {
        assertThat(WorkersView.render(List.of(), NOW)).startsWith("no workers");
    }
}
