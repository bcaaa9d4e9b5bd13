package dev.kbsync.worker.run;

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

    private final String code;

    public UnitAbortedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }

    /** True if the unit must not be reported: its grant is gone or about to end (the coordinator decides). */
    public boolean abandoned() {
        return LEASE_LOST.equals(code) || MAX_HOLD_EXCEEDED.equals(code);
    }
}
