package dev.kbsync.vertx;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Builds a future chain on a Vert.x context. Needed for the raw Vert.x 5 {@code HttpClient} from a non-Vert.x thread
 * (main, test, bench or bot thread): there {@code client.request(...)} can complete on the calling thread when a pooled
 * keep-alive connection is free, so the {@code compose} that attaches {@code body()} or {@code handler(...)} races
 * the event loop that delivers the response; a response that ends first leaves the future pending forever. Built on
 * the context, each step runs on its event loop before the next network event is delivered.
 */
public final class OnContext {
    private OnContext() {}

    /**
     * Runs {@code chain} on {@code context} (directly when already on it) and completes with its outcome; a chain that
     * throws fails the result.
     */
    public static <T> Future<T> run(Context context, Supplier<Future<T>> chain) {
        if (Vertx.currentContext() == context) {
            return start(chain);
        }
        Promise<T> promise = Promise.promise();
        context.runOnContext(v -> start(chain).onComplete(promise));
        return promise.future();
    }

    /** {@link #run(Context, Supplier)} that fails with a {@link TimeoutException} after {@code timeout}. */
    public static <T> Future<T> run(Context context, Duration timeout, Supplier<Future<T>> chain) {
        return deadline(context.owner(), run(context, chain), timeout);
    }

    /**
     * {@code future}, or a failure with a {@link TimeoutException} when it has no outcome within {@code timeout}; a
     * last guard so that a lost response can never hang its caller.
     */
    public static <T> Future<T> deadline(Vertx vertx, Future<T> future, Duration timeout) {
        Promise<T> promise = Promise.promise();
        long timer = vertx.setTimer(
                Math.max(1, timeout.toMillis()),
                id -> promise.tryFail(new TimeoutException("no outcome within " + timeout.toMillis() + " ms")));
        future.onComplete(result -> {
            vertx.cancelTimer(timer);
            if (result.succeeded()) {
                promise.tryComplete(result.result());
            } else {
                promise.tryFail(result.cause());
            }
        });
        return promise.future();
    }

    private static <T> Future<T> start(Supplier<Future<T>> chain) {
        try {
            return chain.get();
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }
}
