package dev.kbsync.coordinator.engine.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import java.util.List;
import org.junit.jupiter.api.Test;

class KbViewTest {
    private static final KbId KB = KbId.of("team");

    @Test
    void shouldPutGrantedTicketAsHolderAndTheRestAsWaitersInOrder() {
        KbView view = KbView.parse(
                KB,
                List.of(
                        "t1", "team~t1", "7", "1000", "31000", "0", "2000", "5000", "", // grant, avg hold, now, batch
                        "t1", "lease", "bot", "", "500", "0", "30000", "j2", "job", "ann", "j2", "900", "1", "30000"));

        QueueSnapshot snapshot = view.snapshot();

        assertThat(snapshot.holder()).hasValueSatisfying(h -> {
            assertThat(h.ticketId()).isEqualTo("t1");
            assertThat(h.fencingToken()).isEqualTo(7L);
            assertThat(h.waitedMs()).isEqualTo(4000);
        });
        assertThat(snapshot.waiters()).singleElement().satisfies(w -> {
            assertThat(w.jobId()).isEqualTo("j2");
            assertThat(w.waitedMs()).isEqualTo(4100);
        });
        assertThat(snapshot.avgHoldMs()).isEqualTo(2000);
        assertThat(view.state(view.rows().get(0))).isEqualTo("granted");
        assertThat(view.state(view.rows().get(1))).isEqualTo("queued");
        assertThat(view.etaMs(1)).isEqualTo(2000);
        assertThat(view.lease(view.rows().get(0), 0).state()).isEqualTo(LeaseState.GRANTED);
    }

    @Test
    void shouldShowGroupCommitMembersAsRunning() {
        KbView view = KbView.parse(
                KB,
                List.of(
                        "j1",
                        "team~j1.3",
                        "3",
                        "1000",
                        "31000",
                        "1",
                        "0",
                        "5000",
                        "j2", // batch: j2
                        "j1",
                        "job",
                        "ann",
                        "j1",
                        "500",
                        "1",
                        "30000",
                        "j2",
                        "job",
                        "bob",
                        "j2",
                        "900",
                        "1",
                        "30000",
                        "j3",
                        "job",
                        "cy",
                        "j3",
                        "950",
                        "0",
                        "30000"));

        assertThat(view.rows()).extracting(view::state).containsExactly("running", "running", "queued");
        QueueSnapshot snapshot = view.snapshot();
        assertThat(snapshot.holder())
                .hasValueSatisfying(h -> assertThat(h.jobId()).isEqualTo("j1"));
        assertThat(snapshot.running()).extracting(QueueEntry::jobId).containsExactly("j2");
        assertThat(snapshot.waiters()).extracting(QueueEntry::jobId).containsExactly("j3");
        assertThat(snapshot.toJson().getJsonArray("running")).hasSize(1);
    }

    @Test
    void shouldReadEmptyQueue() {
        KbView view = KbView.parse(KB, List.of("", "", "", "", "", "", "0", "5000", ""));

        assertThat(view.rows()).isEmpty();
        assertThat(view.snapshot().holder()).isEmpty();
    }
}
