package dev.kbsync.coordinator.error;

import java.time.Duration;

/** The user exceeded the submission rate (HTTP 429 with Retry-After). Code: RATE_LIMITED. */
public final class RateLimitedException extends CoordinatorException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;
    private final int remaining;

    public RateLimitedException(Duration retryAfter, int remaining, String message) {
        super("RATE_LIMITED", message);
        this.retryAfter = retryAfter;
        this.remaining = remaining;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public int remaining() {
        return remaining;
    }
}
