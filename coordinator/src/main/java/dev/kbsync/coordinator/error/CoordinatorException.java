package dev.kbsync.coordinator.error;

/** A request that ran but cannot succeed; {@code code} is returned to clients as the error code. */
public abstract sealed class CoordinatorException extends RuntimeException
        permits NotFoundException, ConflictException, ForbiddenException, RateLimitedException, UnavailableException {
    private static final long serialVersionUID = 1L;
    private final String code;

    protected CoordinatorException(String code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public String code() {
        return code;
    }
}
