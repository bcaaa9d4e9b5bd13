package dev.kbsync.coordinator.engine.event;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.eta.HoldStats;
import dev.kbsync.coordinator.engine.eta.Waiting;
import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.TicketKind;
import dev.kbsync.coordinator.service.Told;
import dev.kbsync.coordinator.service.Watchers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A KB with no view published yet against what its streams were first told. */
class FirstViewTest {
    private static final KbId KB = KbId.of("team");

    /** A raw lease {@code holder} granted under fence 7, then the tickets waiting, in order ("j...": a note job). */
    private static KbView view(String holder, String... waiting) {
        List<KbView.Row> rows = new ArrayList<>();
        rows.add(lease(holder));
        for (String ticket : waiting) {
            rows.add(ticket.startsWith("j") ? job(ticket) : lease(ticket));
        }
        return new KbView(
                KB,
                holder,
                "team~" + holder + ".7.x",
                7L,
                1_000,
                31_000,
                0,
                false,
                0,
                HoldStats.EMPTY,
                2_000,
                Set.of(),
                rows);
    }

    private static KbView.Row lease(String ticket) {
        return new KbView.Row(ticket, TicketKind.LEASE, "h", null, 1_000, 0, 30_000, Waiting.lease(30_000));
    }

    private static KbView.Row job(String ticket) {
        return new KbView.Row(ticket, TicketKind.JOB, "u", "team~" + ticket, 1_000, 0, 30_000, Waiting.note());
    }

    private static Told.Ticket waiter(String ticket, long ahead) {
        return new Told.Ticket(KB, "team~" + ticket, false, "waiting", ahead);
    }

    @Test
    void shouldFindNoDifferenceWhereEveryStreamWasToldWhatTheViewShows() {
        KbView view = view("a", "b", "jc");
        List<Told> told = List.of(
                waiter("b", 1), new Told.Ticket(KB, "team~jc", true, "queued", 2), Told.Queue.of(view.snapshot()));

        assertThat(FirstView.differs(view, told)).isFalse();
        assertThat(FirstView.differs(view, List.of())).isFalse();
    }

    @Test
    void shouldFindAGrantANewPlaceATicketGoneOrAnotherQueue() {
        KbView before = view("a", "b", "c");
        KbView granted = view("b", "c");

        assertThat(FirstView.differs(granted, List.of(waiter("b", 1))))
                .as("b was granted")
                .isTrue();
        assertThat(FirstView.differs(granted, List.of(waiter("c", 2))))
                .as("c moved up")
                .isTrue();
        assertThat(FirstView.differs(granted, List.of(waiter("a", 0))))
                .as("a left")
                .isTrue();
        assertThat(FirstView.differs(granted, List.of(Told.Queue.of(before.snapshot()))))
                .as("the snapshot stream's queue")
                .isTrue();
    }

    @Test
    void shouldBaselineWhatStreamsWereToldAndSendEveryStateWhereTheyDisagree() {
        KbView view = view("a", "b", "jc");
        Map<String, Seen> baseline = FirstView.baseline(
                view,
                List.of(
                        waiter("b", 1),
                        waiter("b", 2), // another stream of b, opened earlier
                        new Told.Ticket(KB, "team~jc", true, "queued", 2),
                        new Told.Ticket(KB, "team~jgone", true, "queued", 3),
                        new Told.Ticket(KB, "not a lease id", false, "waiting", 0)));

        assertThat(baseline.get("jc")).isEqualTo(new Seen(2, "queued", "team~jc", null));
        assertThat(baseline.get("b").movedTo(new Seen(1, "waiting", null, null)))
                .as("told different places: sent again")
                .isTrue();
        assertThat(baseline.get("b").state()).isNotEqualTo("waiting");
        assertThat(baseline.get("job:team~jgone"))
                .as("a job told of that left the queue: its final event is due")
                .isEqualTo(new Seen(3, "queued", "team~jgone", null));
        assertThat(baseline).hasSize(3);
    }

    @Test
    void shouldLeaveOutWhatAJobLeaseStreamWasToldForItsJobStreamsHearTheJob() {
        KbView view = view("a", "b", "jc");
        Told.Ticket jobLease = new Told.Ticket(KB, "team~jc.7.n1", false, "granted", 0);
        Told.Ticket job = new Told.Ticket(KB, "team~jc", true, "queued", 2);

        assertThat(FirstView.differs(view, List.of(jobLease)))
                .as("a worker's lease on a job: the view shows the job, never this lease")
                .isFalse();
        assertThat(FirstView.baseline(view, List.of(jobLease))).isEmpty();
        assertThat(FirstView.baseline(view, List.of(jobLease, job)).get("jc"))
                .as("the job's streams' baseline keeps the job")
                .isEqualTo(new Seen(2, "queued", "team~jc", null));
        assertThat(FirstView.baseline(view, List.of(job, jobLease)).get("jc"))
                .isEqualTo(new Seen(2, "queued", "team~jc", null));
    }

    @Test
    void shouldSendEveryTicketToldOfItsStateAgainWhileAStreamsFirstReadIsUnderWay() {
        KbView view = view("a", "b", "jc");
        List<Told> told = List.of(waiter("b", 1), new Told.Ticket(KB, "team~jgone", true, "queued", 3));

        Map<String, Seen> complete = FirstView.baseline(view, new Watchers.Baseline(1, told, true), false);
        Map<String, Seen> reading = FirstView.baseline(view, new Watchers.Baseline(1, told, false), false);

        assertThat(complete.get("b").movedTo(new Seen(1, "waiting", null, null)))
                .isFalse();
        assertThat(reading.get("b").state())
                .as("another stream of b may have read an older state: b is told its state again")
                .isNotEqualTo("waiting");
        assertThat(reading.get("job:team~jgone").jobId())
                .as("a job that left still gets its final event")
                .isEqualTo("team~jgone");
    }

    @Test
    void shouldLeaveTicketsThatLeftBeforeAViewWithNoTicketOutOfTheBaselineAfterIt() {
        KbView view = view("a", "b");
        List<Told> told = List.of(waiter("b", 1), new Told.Ticket(KB, "team~jlong-gone", true, "queued", 3));

        Map<String, Seen> baseline = FirstView.baseline(view, new Watchers.Baseline(1, told, true), true);

        assertThat(baseline)
                .as("a user's stream keeps its first marks for its whole life: the job that left was told its end")
                .containsOnlyKeys("b");
    }
}
