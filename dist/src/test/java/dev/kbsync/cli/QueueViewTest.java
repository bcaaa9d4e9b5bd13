package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class QueueViewTest {
    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void shouldShowEachWaitersEtaBandAndLeaveOutWhatTheSnapshotLacks() {
        QueueEntry holder = new QueueEntry("t1", "lease", null, null, T, 4_000, null);
        QueueEntry waiter = new QueueEntry("t2", "job", "ann", "team~t2", T, 1_000, null, 10_200L, 24_100L, T);
        QueueSnapshot snapshot =
                new QueueSnapshot(KbId.of("team"), Optional.of(holder), List.of(), List.of(waiter), 2_000);

        String text = QueueView.render(snapshot);

        assertThat(text).contains("holder: (lease, 4.0 s)").contains("1. ann (job team~t2, 1.0 s), ~10-25 s");
        assertThat(text).doesNotContain("null");
        assertThat(QueueTicker.describe(snapshot))
                .as("the demo's ticker line too")
                .isEqualTo("queue: lease writing, 1 waiting");
    }
}
