package dev.kbsync.stop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopDeadlineTest {
    @Test
    void shouldLeaveNothingOnceTheBoundPassed() {
        StopDeadline deadline = StopDeadline.after(Duration.ZERO);
        assertThat(deadline.left()).isZero();
        assertThat(deadline.leftBefore(Duration.ofSeconds(1))).isZero();
        assertThat(deadline.passed()).isTrue();
    }

    @Test
    void shouldKeepTheReserveOutOfWhatAStepGets() {
        StopDeadline deadline = StopDeadline.after(Duration.ofSeconds(60));
        assertThat(deadline.leftBefore(Duration.ofSeconds(15)))
                .isBetween(Duration.ofSeconds(44), Duration.ofSeconds(45));
        assertThat(deadline.passed()).isFalse();
    }

    @Test
    void shouldTellAStepThatDidNotCompleteBeforeTheDeadline() {
        StopDeadline deadline = StopDeadline.after(Duration.ofMillis(50));
        assertThat(deadline.finished(Promise.promise().future())).isFalse();
        assertThat(deadline.took()).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    }

    @Test
    void shouldCountAFailedStepAsFinished() {
        StopDeadline deadline = StopDeadline.after(Duration.ofSeconds(5));
        assertThat(deadline.finished(Future.failedFuture("broken"))).isTrue();
        assertThat(deadline.finished(Future.succeededFuture())).isTrue();
    }

    @Test
    void shouldRefuseANegativeBound() {
        assertThatThrownBy(() -> StopDeadline.after(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(">= 0");
    }

    @Test
    void shouldKeepWhatWasUnfinishedAsGiven() {
        StopOutcome.PastBound past = new StopOutcome.PastBound(Duration.ofSeconds(1), List.of("a", "b"));
        assertThat(past.unfinished()).containsExactly("a", "b");
        assertThat(StopOutcome.EXIT_PAST_BOUND).isEqualTo(124);
    }
}
