package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Local fencing tokens: per KB above the last one and never below the clock, kept over restarts, raised per KB. */
class LocalFencesTest {
    private static final KbId A = KbId.of("a");
    private static final KbId B = KbId.of("b");

    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @Test
    void shouldFollowTheClockAndStayAboveTheLastToken() {
        LocalFences fences = new LocalFences(clock, Map.of());
        assertThat(fences.next(A)).isEqualTo(1_000_000);
        assertThat(fences.next(A)).as("same millisecond").isEqualTo(1_000_001);
        now.set(2_000_000);
        assertThat(fences.next(A)).isEqualTo(2_000_000);
        now.set(500); // the clock stepped back
        assertThat(fences.next(A)).isEqualTo(2_000_001);
        assertThat(fences.next(B)).as("KBs are independent").isEqualTo(500);
    }

    @Test
    void shouldNeverReuseATokenKeptOrReadBackFromTheJournal() {
        LocalFences fences = new LocalFences(clock, Map.of(A, 5_000_000L));
        fences.seen(B, 7_000_000L);
        assertThat(fences.next(A)).isEqualTo(5_000_001);
        assertThat(fences.next(B)).isEqualTo(7_000_001);
    }

    @Test
    void shouldAskForEveryKbWhoseTokensRedisHasNotReachedYet() {
        LocalFences fences = new LocalFences(clock, Map.of(A, 10L));
        assertThat(fences.allRaised())
                .as("kept tokens were raised before the truncation")
                .isTrue();
        long token = fences.next(A);
        fences.next(B);
        assertThat(fences.unraised()).containsOnlyKeys(A, B).containsEntry(A, token);
        fences.raised(A, token);
        assertThat(fences.unraised()).containsOnlyKeys(B);
        fences.raised(B, fences.snapshot().get(B));
        assertThat(fences.allRaised()).isTrue();
        assertThat(fences.next(A)).isGreaterThan(token);
        assertThat(fences.allRaised()).isFalse();
    }
}
