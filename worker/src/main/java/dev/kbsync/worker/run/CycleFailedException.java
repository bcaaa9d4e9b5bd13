package dev.kbsync.worker.run;

import java.util.Map;

/**
 * A publish cycle ended by an unexpected error (its cause): a bug, or a local git failure after the sync. Carries the
 * units of the batch found on the remote before it, which landed whatever became of the rest.
 */
public final class CycleFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Map<String, Outcome> landed;

    CycleFailedException(RuntimeException cause, Map<String, Outcome> landed) {
        super(cause.getMessage(), cause);
        this.landed = Map.copyOf(landed);
    }

    /** What ended the cycle. */
    @Override
    public synchronized RuntimeException getCause() {
        return (RuntimeException) super.getCause();
    }

    /** The units of the batch found on the remote (or pushed) before the failure, by id (empty if none). */
    public Map<String, Outcome> landed() {
        return landed;
    }
}
