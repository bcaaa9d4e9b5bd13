package dev.kbsync.coordinator.error;

import java.time.Duration;

/**
 * A submission window is full (HTTP 429 with Retry-After). Codes: RATE_LIMITED (the user's), KB_RATE_LIMITED (the
 * KB's), TOKEN_QUOTA_EXCEEDED (the token's quota).
 */
public final class RateLimitedException extends CoordinatorException {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;
    private final int remaining;

    public RateLimitedException(String code, Duration retryAfter, int remaining, String message) {
        super(code, message);
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
