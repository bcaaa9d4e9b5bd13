package dev.kbsync.worker.run;

/** A unit stopped before its push on purpose: its lease was lost, the coordinator is gone in fail mode, or shutdown. */
public final class UnitAbortedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The lease is gone: the coordinator runs the job again elsewhere; reporting would be refused. */
    public static final String LEASE_LOST = "LEASE_LOST";

    private final String code;

    public UnitAbortedException(String code, String message) {
        super(message);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
