package dev.kbsync.coordinator.engine.redis;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;

/**
 * The log of a step repeated while Redis may be unreachable (a sweep, a presence beat, a queue publish): its first
 * failure at WARN, the failures after it at DEBUG, and its first success after them at INFO, so an outage is two lines
 * however long it lasts. Thread-safe.
 */
public final class OutageLog {
    private final Logger log;
    private final String step;
    private final AtomicBoolean failing = new AtomicBoolean();

    /** {@code step} names what failed in the lines ("sweep", "publishing presence"). */
    public OutageLog(Logger log, String step) {
        this.log = log;
        this.step = step;
    }

    /** The step failed ({@code detail}: what it was doing, for the DEBUG lines). */
    public void failed(Object detail, Throwable cause) {
        if (failing.compareAndSet(false, true)) {
            log.warn("{} failed (logged once until it recovers): {}", step, cause.toString());
        } else {
            log.debug("{} failed again ({}): {}", step, detail, cause.toString());
        }
    }

    /** The step succeeded: logged once if it had been failing. */
    public void succeeded() {
        if (failing.compareAndSet(true, false)) {
            log.info("{} recovered", step);
        }
    }
}
