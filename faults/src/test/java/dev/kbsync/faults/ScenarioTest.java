package dev.kbsync.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ScenarioTest {
    @AfterEach
    void clear() {
        System.clearProperty("faults.submitMillis");
    }

    @Test
    void shouldSendANoteEvery200MsUnlessToldOtherwise() {
        assertThat(Scenario.submitMillis()).isEqualTo(200);
        System.setProperty("faults.submitMillis", "100");
        assertThat(Scenario.submitMillis()).isEqualTo(100);
    }

    @Test
    void shouldRefuseAnIntervalThatIsNotAPositiveWholeNumber() {
        for (String bad : new String[] {"0", "-5", "fast", ""}) {
            System.setProperty("faults.submitMillis", bad);
            assertThatThrownBy(Scenario::submitMillis)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("-Dfaults.submitMillis must be a whole number of milliseconds >= 1, not '" + bad + "'");
        }
    }
}
