package dev.kbsync.coordinator.error;

/** The request contradicts current state (HTTP 409). Codes: LEASE_LOST, JOB_FINISHED, JOB_RUNNING, JOB_ENDED,
 * IDEMPOTENCY_MISMATCH, SCOPE_KB_LIMIT. */
public final class ConflictException extends CoordinatorException {
    private static final long serialVersionUID = 1L;

    public ConflictException(String code, String message) {
        super(code, message);
    }
}
