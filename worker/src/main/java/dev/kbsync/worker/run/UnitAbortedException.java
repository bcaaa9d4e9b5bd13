package dev.kbsync.worker.run;

import java.util.Map;

/**
 * A unit stopped before its push on purpose: its lease was lost (or its heartbeat refused for good), its grant's
 * deadline came, the coordinator is gone in fail mode, or shutdown.
 */
public final class UnitAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * The lease is gone (or its heartbeat was refused for good: 401, 403, another 4xx than 409 and 404, so the grant can
     * be neither confirmed nor kept): the coordinator runs the job again elsewhere; reporting would be refused.
     */
    public static final String LEASE_LOST = "LEASE_LOST";

    /**
     * The grant's hard deadline (less the margin) came before the unit was done: the agent was killed and the unit
     * abandoned unreported; the coordinator ends the grant at its deadline and counts the attempt.
     */
    public static final String MAX_HOLD_EXCEEDED = "MAX_HOLD_EXCEEDED";

    /**
     * The worker shut down before the push (its grace period was over), or the thread checking the lease before the
     * push was interrupted: nothing was published; reported.
     */
    public static final String WORKER_SHUTDOWN = "WORKER_SHUTDOWN";

    /**
     * The coordinator could not be reached to confirm the lease before the push, with the fallback mode {@code fail}:
     * nothing was published; reported.
     */
    public static final String COORDINATOR_UNAVAILABLE = "COORDINATOR_UNAVAILABLE";

    private final String code;
    private final transient Map<String, Outcome> landed;

    public UnitAbortedException(String code, String message) {
        this(code, message, Map.of());
    }

    private UnitAbortedException(String code, String message, Map<String, Outcome> landed) {
        super(message);
        this.code = code;
        this.landed = Map.copyOf(landed);
    }

    /**
     * The same stop, knowing which units of its batch were found on the remote before it (their outcomes by unit id):
     * those landed, and are reported so, not as stopped.
     */
    UnitAbortedException withLanded(Map<String, Outcome> found) {
        UnitAbortedException known = new UnitAbortedException(code, getMessage(), found);
        known.setStackTrace(getStackTrace());
        return known;
    }

    /** The units of the batch found on the remote before the stop, by id (empty if none, or not known). */
    public Map<String, Outcome> landed() {
        return landed;
    }

    public String code() {
        return code;
    }

    /** True if the unit must not be reported: its grant is gone or about to end (the coordinator decides). */
    public boolean abandoned() {
        return LEASE_LOST.equals(code) || MAX_HOLD_EXCEEDED.equals(code);
    }
}
