package dev.kbsync.stop;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one deadline of a whole stop, set when the stop begins: how much of it is left, and whether a step finished
 * before it. Blocks its caller in {@link #finished}: never use that on an event loop.
 */
public final class StopDeadline {
    private final Duration bound;
    private final long started;

    private StopDeadline(Duration bound, long started) {
        if (bound == null || bound.isNegative()) {
            throw new IllegalArgumentException("a stop's bound must be >= 0, got " + bound);
        }
        this.bound = bound;
        this.started = started;
    }

    /** A deadline {@code bound} from now. */
    public static StopDeadline after(Duration bound) {
        return new StopDeadline(bound, System.nanoTime());
    }

    /** The whole stop's bound. */
    public Duration bound() {
        return bound;
    }

    /** How long the stop has taken so far. */
    public Duration took() {
        return Duration.ofNanos(System.nanoTime() - started);
    }

    /** What is left of the bound (zero once it passed). */
    public Duration left() {
        return Duration.ofNanos(Math.max(0, started + bound.toNanos() - System.nanoTime()));
    }

    /** What is left of the bound less {@code kept} (zero once that passed): for a step that leaves time to the next. */
    public Duration leftBefore(Duration kept) {
        Duration left = left().minus(kept);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** Whether the bound passed. */
    public boolean passed() {
        return left().isZero();
    }

    /** Whether {@code step} completed, succeeded or failed ({@link Future#failed}), before the deadline. */
    public boolean finished(Future<?> step) {
        try {
            step.await(left().toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (RuntimeException e) { // the step failed: it is over
            return true;
        }
    }
}
