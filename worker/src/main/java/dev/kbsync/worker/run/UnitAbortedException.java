package dev.kbsync.worker.run;

import java.util.Map;

/** A unit stopped before its push on purpose: its lease was lost, the coordinator is gone in fail mode, or shutdown. */
public final class UnitAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The lease is gone: the coordinator runs the job again elsewhere; reporting would be refused. */
    public static final String LEASE_LOST = "LEASE_LOST";

    /**
     * The grant's hard deadline (less the margin) came before the unit was done: the agent was killed and the unit
     * abandoned unreported; the coordinator ends the grant at its deadline and counts the attempt.
     */
    public static final String MAX_HOLD_EXCEEDED = "MAX_HOLD_EXCEEDED";

    /** The worker shut down before the push (its grace period was over): nothing was published; reported. */
    public static final String WORKER_SHUTDOWN = "WORKER_SHUTDOWN";

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
