package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BenchMainTest {
    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "three", "", "1.5"})
    void shouldRefuseARunCountThatIsNotAWholeNumberOfAtLeastOne(String value) {
        assertThatThrownBy(() -> BenchMain.runs(value))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--runs takes a whole number of at least 1, not " + value);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldTakeAWholeNumberOfRuns(int runs) {
        assertThat(BenchMain.runs(Integer.toString(runs))).isEqualTo(runs);
    }
}
