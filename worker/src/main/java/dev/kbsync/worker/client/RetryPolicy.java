package dev.kbsync.worker.client;

import dev.kbsync.api.client.KbsyncException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retries a coordinator call that failed with {@link KbsyncException.Unavailable} (no usable answer), with jittered
 * exponential backoff; a call the coordinator refused ({@link KbsyncException.Rejected}) is never retried.
 */
public record RetryPolicy(int attempts, Duration firstDelay, Duration maxDelay) {
    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0) {
            throw new IllegalArgumentException("need 0 <= firstDelay <= maxDelay");
        }
    }

    /** 3 attempts, 200 ms then doubling up to 2 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(3, Duration.ofMillis(200), Duration.ofSeconds(2));
    }

    /** The delay before retry number {@code retry} (1-based): exponential, capped, with +-50% jitter. */
    public Duration delay(int retry) {
        long base = Math.min(maxDelay.toMillis(), firstDelay.toMillis() << Math.min(retry - 1, 20));
        long jittered = base / 2 + ThreadLocalRandom.current().nextLong(base + 1);
        return Duration.ofMillis(Math.max(1, Math.min(maxDelay.toMillis(), jittered)));
    }

    /**
     * Runs {@code call} (a blocking client call) until it succeeds, fails otherwise, or {@link #attempts} ran; the last
     * failure is thrown. Blocks: call it off the event loop. Interrupted while waiting, it throws the last failure.
     */
    public <T> T call(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (KbsyncException.Unavailable e) {
                if (attempt >= attempts) {
                    throw e;
                }
                try {
                    Thread.sleep(delay(attempt).toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }
}
