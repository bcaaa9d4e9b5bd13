package dev.kbsync.coordinator.error;

import java.time.Duration;

/**
 * A dependency (Redis) could not do its part in time (HTTP 503 with Retry-After). Codes: REDIS_UNAVAILABLE (no
 * connection or no answer), REPLICATION_TIMEOUT (a write was made but too few replicas confirmed it in time: the
 * answer is withheld; a retry with the same idempotency key or lease is safe); for reads, SNAPSHOT_UNAVAILABLE,
 * SNAPSHOT_BEHIND (the KB's snapshot) and READS_BUSY (no read thread was free in time: the read did not run).
 */
public sealed class UnavailableException extends CoordinatorException permits UnconfirmedWrite {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    public UnavailableException(String code, String message, Duration retryAfter) {
        super(code, message);
        this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }
}
