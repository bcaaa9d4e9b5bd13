package dev.kbsync.worker.client;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/** Retries a call that failed with {@link CoordinatorException.Unreachable}, with jittered exponential backoff. */
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

    <T> Future<T> run(Vertx vertx, Supplier<Future<T>> call) {
        Promise<T> promise = Promise.promise();
        attempt(vertx, call, 1, promise);
        return promise.future();
    }

    private <T> void attempt(Vertx vertx, Supplier<Future<T>> call, int attempt, Promise<T> promise) {
        call.get().onComplete(result -> {
            if (result.succeeded()) {
                promise.complete(result.result());
            } else if (result.cause() instanceof CoordinatorException.Unreachable && attempt < attempts) {
                vertx.setTimer(delay(attempt).toMillis(), id -> attempt(vertx, call, attempt + 1, promise));
            } else {
                promise.fail(result.cause());
            }
        });
    }
}
