package dev.kbsync.coordinator.error;

/** The KB, job or lease does not exist (HTTP 404). Codes: KB_NOT_FOUND, JOB_NOT_FOUND, LEASE_NOT_FOUND. */
public final class NotFoundException extends CoordinatorException {
    private static final long serialVersionUID = 1L;

    public NotFoundException(String code, String message) {
        super(code, message);
    }
}
