package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LeaseKeeperTest {
    private static final Instant GRANTED = Instant.parse("2026-11-30T12:00:00Z");

    @Test
    void shouldStopTheMarginBeforeTheDeadlineCountingFromTheLeasesOwnTimes() {
        // claimed 40 s into a 300 s hold: expires at +70 s (ttl 30 s), deadline at +300 s: 260 s left at arrival
        Lease lease = lease(GRANTED.plusSeconds(70), GRANTED.plusSeconds(300), 30_000);

        assertThat(LeaseKeeper.untilStop(lease, Duration.ofSeconds(5))).contains(Duration.ofSeconds(255));
    }

    @Test
    void shouldCapTheMarginAtHalfTheTtlSoTheGrantLivesUpToItsDeadline() {
        Lease lease = lease(GRANTED.plusSeconds(2), GRANTED.plusSeconds(4), 2_000);

        assertThat(LeaseKeeper.untilStop(lease, Duration.ofSeconds(5))).contains(Duration.ofSeconds(3));
    }

    @Test
    void shouldNotStopALeaseWithoutADeadline() {
        assertThat(LeaseKeeper.untilStop(lease(GRANTED, null, 30_000), Duration.ofSeconds(5)))
                .isEmpty();
    }

    private static Lease lease(Instant expires, Instant deadline, long ttlMs) {
        return new Lease("l", KbId.of("team"), "w", LeaseState.GRANTED, 0, 7L, "j", GRANTED, expires, deadline, ttlMs);
    }
}
