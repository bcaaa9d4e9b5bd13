package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncException;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * What a well-behaved client does with {@code 503} and the other "no usable answer" failures
 * ({@link KbsyncException.Unavailable}): waits (the {@code Retry-After}, else a short backoff) and tries again, for up
 * to two minutes. The capacity load drives a coordinator to saturation on purpose; giving up at the first 503 would
 * measure the bench, not the product.
 */
final class Retry {
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private Retry() {}

    static <T> T unavailable(Supplier<T> call) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long backoffMs = 50;
        while (true) {
            try {
                return call.get();
            } catch (KbsyncException.Unavailable e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                long wait = e instanceof KbsyncException.ServiceUnavailable s
                        ? s.retryAfter().map(Duration::toMillis).orElse(backoffMs)
                        : backoffMs;
                sleep(Math.min(wait, 2_000));
                backoffMs = Math.min(2 * backoffMs, 1_000);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to retry", e);
        }
    }
}
