package dev.kbsync.worker.run;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** How often a rejected (non-fast-forward) push is re-pulled, re-applied and pushed again, with jittered backoff. */
public record PushRetry(int maxRetries, Duration backoff) {
    public PushRetry {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
        }
        if (backoff.isNegative()) {
            throw new IllegalArgumentException("backoff must not be negative, got " + backoff);
        }
    }

    /** 5 retries, 100 ms base backoff. */
    public static PushRetry defaults() {
        return new PushRetry(5, Duration.ofMillis(100));
    }

    /** Sleeps before retry {@code retry} (1-based): base * retry, +-50% jitter. */
    void pause(int retry) {
        long base = backoff.toMillis() * retry;
        if (base <= 0) {
            return;
        }
        try {
            Thread.sleep(base / 2 + ThreadLocalRandom.current().nextLong(base + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted between push retries", e);
        }
    }
}
