package dev.kbsync.worker.apply;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Tells a running unit to stop at once: its lease was lost, its hard deadline is near, or its worker shuts down. A
 * running agent watches it and is killed with its whole process tree; the first stop wins. Thread-safe.
 */
public final class StopSignal {
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final CountDownLatch fired = new CountDownLatch(1);

    /** Why the unit was stopped: a stable code (e.g. {@code LEASE_LOST}, {@code MAX_HOLD_EXCEEDED}) and a message. */
    public record Stop(String code, String message) {}

    /** A signal nobody fires. */
    public static StopSignal never() {
        return new StopSignal();
    }

    /** Stops the unit; false if it was stopped already (the first reason stays). */
    public boolean stop(String code, String message) {
        if (!stop.compareAndSet(null, new Stop(code, message))) {
            return false;
        }
        fired.countDown();
        return true;
    }

    /**
     * Waits at most {@code timeout} for the signal; returns the stop if it fired (at once if it had). An interrupted
     * wait returns with the thread's interrupt flag set.
     */
    public Optional<Stop> await(Duration timeout) {
        try {
            fired.await(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return stopped();
    }

    public Optional<Stop> stopped() {
        return Optional.ofNullable(stop.get());
    }
}
