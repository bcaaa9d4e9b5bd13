package dev.kbsync.coordinator.error;

/** The caller may see the object but not do this to it (HTTP 403). Codes: NOT_SUBMITTER, LOCAL_REMOTE_FORBIDDEN. */
public final class ForbiddenException extends CoordinatorException {
    private static final long serialVersionUID = 1L;

    public ForbiddenException(String code, String message) {
        super(code, message);
    }
}
