package dev.kbsync.coordinator.engine.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The sweep's forgotten KBs: kept until listed again or their time is up, so they do not grow with every removal. */
class ForgottenKbsTest {
    private final AtomicLong now = new AtomicLong();
    private final ForgottenKbs forgotten = new ForgottenKbs(Duration.ofHours(2), now::get);

    @Test
    void shouldKeepARemovedKbUntilItIsListedAgain() {
        forgotten.forgot(KbId.of("back"));
        forgotten.forgot(KbId.of("gone"));

        forgotten.listed(List.of(KbId.of("back"), KbId.of("other")));

        assertThat(forgotten.contains(KbId.of("back"))).isFalse();
        assertThat(forgotten.contains(KbId.of("gone"))).isTrue();
    }

    @Test
    void shouldLetGoOfKbsRemovedLongerAgoThanItsBound() {
        for (int i = 0; i < 1_000; i++) {
            forgotten.forgot(KbId.of("churn-" + i));
        }
        now.addAndGet(Duration.ofHours(1).toNanos());
        forgotten.forgot(KbId.of("recent"));
        now.addAndGet(Duration.ofHours(1).plusSeconds(1).toNanos());

        forgotten.listed(List.of());

        assertThat(forgotten.size()).isEqualTo(1);
        assertThat(forgotten.contains(KbId.of("recent"))).isTrue();
    }
}
