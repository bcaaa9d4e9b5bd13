package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnPreferenceTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "return=minimal",
                "RETURN=Minimal",
                "return = minimal",
                "return=\"minimal\"",
                "respond-async, return=minimal",
                "wait=10, return=minimal; foo=bar",
                "handling=lenient,return=minimal",
                "foo=\"a,b\", return=minimal",
                "foo=\"a;b\"; bar=1, return=minimal"
            })
    void shouldHonourReturnMinimal(String header) {
        assertThat(ReturnPreference.minimal(List.of(header))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "return=representation",
                "return",
                "return=",
                "minimal",
                "return=minimalist",
                "respond-async",
                "x-return=minimal",
                "return=representation, return=minimal",
                "foo=\"x,return=minimal\"",
                "foo=\"x, return=minimal, y\"",
                "respond-async; note=\"a,return=minimal\""
            })
    void shouldIgnoreAnythingElse(String header) {
        assertThat(ReturnPreference.minimal(List.of(header))).isFalse();
    }

    @Test
    void shouldReadEveryPreferHeaderOfTheRequest() {
        assertThat(ReturnPreference.minimal(List.of("respond-async", "return=minimal")))
                .isTrue();
        assertThat(ReturnPreference.minimal(List.of())).isFalse();
    }
}
