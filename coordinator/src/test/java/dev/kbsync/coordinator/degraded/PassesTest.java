package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Queue;
import org.junit.jupiter.api.Test;

/**
 * A journal that keeps being appended to while it drains takes one pass after the other, as many as it likes: the
 * drain must still complete (and report drained), neither holding a future per pass nor completing them N frames deep.
 */
class PassesTest {
    private static final int PASSES = 100_000;

    /** Passes still running, completed one by one from the test's own (shallow) stack, as a worker thread would. */
    private final Queue<Promise<Boolean>> running = new ArrayDeque<>();

    private int started;

    private Future<Boolean> pass() {
        started++;
        Promise<Boolean> pass = Promise.promise();
        running.add(pass);
        return pass.future();
    }

    @Test
    void shouldCompleteAfterAHundredThousandPassesThatEachFoundNewRecords() {
        Future<Void> drained = Passes.until(this::pass);
        while (!running.isEmpty()) {
            running.remove().complete(started == PASSES); // the last pass finds nothing new and truncates
        }

        assertThat(started).isEqualTo(PASSES);
        assertThat(drained.succeeded())
                .as("drained: %s", drained.failed() ? drained.cause() : "not complete")
                .isTrue();
    }

    @Test
    void shouldCompleteAfterAHundredThousandPassesThatEachCompletedAtOnce() {
        Future<Void> drained = Passes.until(() -> Future.succeededFuture(++started == PASSES));

        assertThat(started).isEqualTo(PASSES);
        assertThat(drained.succeeded()).isTrue();
    }

    @Test
    void shouldStopAtTheFirstFailedPass() {
        IllegalStateException outage = new IllegalStateException("Redis went away again");
        Future<Void> drained =
                Passes.until(() -> ++started == 3 ? Future.failedFuture(outage) : Future.succeededFuture(false));

        assertThat(started).as("no pass after the failed one").isEqualTo(3);
        assertThat(drained.cause()).isSameAs(outage);
    }

    @Test
    void shouldFailTheDrainWhenAPassThrowsInsteadOfReturningAFuture() {
        IllegalStateException thrown = new IllegalStateException("fences unreadable");
        Future<Void> drained = Passes.until(() -> {
            if (started == 1) { // the second pass
                throw thrown;
            }
            return pass();
        });
        running.remove().complete(false);

        assertThat(drained.cause()).isSameAs(thrown);
    }
}
