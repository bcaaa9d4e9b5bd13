package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Scenario E's score: only waiters first seen after the unscored warm-up count, in the estimates and the waiters. */
class EtaScoreTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldLeaveTheWarmUpWaitersOutOfTheWaitersScored() {
        long scoredFrom = 10_000 * MS;
        // "warm": first seen in the warm-up, started in the scored time; "scored": first seen and started in it
        List<EtaAccuracy.Prediction> predictions = List.of(
                new EtaAccuracy.Prediction("warm", 9_000 * MS, 2_000, 3_000, ""),
                new EtaAccuracy.Prediction("scored", 11_000 * MS, 1_000, 1_500, ""));
        Map<String, Long> firstSeen = Map.of("warm", 9_000 * MS, "scored", 11_000 * MS);
        Map<String, Long> started = Map.of("warm", 11_000 * MS, "scored", 12_000 * MS);

        EtaAccuracy.Run run = EtaAccuracy.score(predictions, firstSeen, started, scoredFrom);

        assertThat(run.predictions()).isEqualTo(1);
        assertThat(run.waiters()).isEqualTo(1);
        assertThat(run.medianErrorPercent()).isZero();
    }
}
