package dev.kbsync.api.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How long a stream may be silent: 2.5 of the keep-alive periods its coordinator names, else the client's own bound. */
class EventSubscriptionTest {
    private static final Duration OWN = Duration.ofSeconds(60);

    @Test
    void shouldAllowTwoAndAHalfAnnouncedKeepAlivePeriods() {
        assertThat(EventSubscription.silence("15", OWN)).isEqualTo(Duration.ofMillis(37_500));
        assertThat(EventSubscription.silence("1", OWN)).isEqualTo(Duration.ofMillis(2_500));
        assertThat(EventSubscription.silence("300", OWN)).isEqualTo(Duration.ofMillis(750_000));
    }

    @Test
    void shouldKeepItsOwnBoundWhenNoUsablePeriodIsAnnounced() {
        for (String announced :
                new String[] {null, "", " ", "0", "-15", "1.5", "15s", "86401", "99999999999999999999"}) {
            assertThat(EventSubscription.silence(announced, OWN)).as(announced).isEqualTo(OWN);
        }
    }
}
