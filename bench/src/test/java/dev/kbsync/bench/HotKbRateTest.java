package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Scenario 7's rates, from the time each note's push landed: a group commit pushes several notes at once, so they share
 * one push time; a window is measured in whole pushes, from the push before its first note.
 */
class HotKbRateTest {
    private static final long SECOND = 1_000_000_000L;

    /** Pushes of 4 notes each, one a second: 4 notes a second whatever the window. */
    private static final List<Long> BATCHES_OF_4 =
            List.of(0L, 0L, 0L, 0L, SECOND, SECOND, SECOND, SECOND, 2 * SECOND, 2 * SECOND, 2 * SECOND, 2 * SECOND);

    @Test
    void shouldCountTheNotesOfWholePushesAfterTheFirstOverAllTheNotes() {
        assertThat(HotKb.perSecond(BATCHES_OF_4, 0, 12)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void shouldMeasureALaterWindowFromThePushBeforeIt() {
        assertThat(HotKb.perSecond(BATCHES_OF_4, 8, 12)).isCloseTo(4.0, within(1e-9));
        assertThat(HotKb.perSecond(BATCHES_OF_4, 4, 12)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void shouldCountAPushTheWindowCutsInFull() {
        // the first 6 notes end in the middle of the second push: it landed 4 notes after the first push, in 1 s
        assertThat(HotKb.perSecond(BATCHES_OF_4, 0, 6)).isCloseTo(4.0, within(1e-9));
    }

    @Test
    void shouldMatchTheNoteByNoteRateWhenEveryPushCarriesOneNote() {
        List<Long> single = List.of(0L, SECOND / 2, SECOND, 3 * SECOND / 2, 2 * SECOND);

        assertThat(HotKb.perSecond(single, 0, 5)).isCloseTo(2.0, within(1e-9));
        assertThat(HotKb.perSecond(single, 2, 5)).isCloseTo(2.0, within(1e-9));
    }
}
