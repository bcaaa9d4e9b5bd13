package dev.kbsync.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonInstantTest {

    @Test
    void shouldReadEveryInstantAsItsToStringWroteIt() {
        SplittableRandom random = new SplittableRandom(7);
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long seconds = random.nextLong(0, max);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant instant = Instant.ofEpochSecond(seconds, nanos);
            assertThat(Json.instant(instant.toString())).as(instant.toString()).isEqualTo(instant);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2024-02-29T00:00:00Z",
                "2026-11-29T07:00:06.120Z",
                "2026-11-29T07:00:06.1Z",
                "1970-01-01T00:00:00Z",
                "2026-11-29T07:00:06+01:00",
                "2026-11-29T07:00:06.000000001Z"
            })
    void shouldReadWhatInstantParseReads(String text) {
        assertThat(Json.instant(text)).isEqualTo(Instant.parse(text));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "2026-02-29T00:00:00Z",
                "2026-13-01T00:00:00Z",
                "2026-11-31T00:00:00Z",
                "2026-11-29T24:00:00Z",
                "2026-11-29T07:60:00Z",
                "2026-11-29T07:00:60Z",
                "2026-11-29T07:00:06.Z",
                "2026-11-29T07:00:06.12aZ",
                "2026-11-29T07:00:06.1234567890Z",
                "2026-11-29 07:00:06Z",
                "+12026-11-29T07:00:06Z",
                "yesterday"
            })
    void shouldTreatOddTextExactlyAsInstantParseDoes(String text) {
        Object expected;
        try {
            expected = Instant.parse(text);
        } catch (DateTimeParseException e) {
            expected = DateTimeParseException.class;
        }
        if (expected instanceof Instant instant) {
            assertThat(Json.instant(text)).isEqualTo(instant);
        } else {
            assertThatThrownBy(() -> Json.instant(text)).isInstanceOf(DateTimeParseException.class);
        }
    }

    @Test
    void shouldReadNullAsNull() {
        assertThat(Json.instant(null)).isNull();
    }
}
