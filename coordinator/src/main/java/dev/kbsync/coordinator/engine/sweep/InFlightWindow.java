package dev.kbsync.coordinator.engine.sweep;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;

/**
 * Runs one asynchronous step per item with at most {@code width} of them in flight, the next starting as one
 * completes. A sweep pass used to send one script per KB with queued work all at once, so a release or submit sent
 * meanwhile waited in Redis behind the whole burst (docs/benchmarks.md, scenario 4); through the window it waits for
 * at most {@code width} steps. Not thread-safe: its steps complete on the context that started it (the engine's).
 */
final class InFlightWindow {
    private InFlightWindow() {}

    /** Completes once every step has completed: failed with the first failure if any failed (as {@code Future.join}). */
    static <T> Future<Void> all(List<T> items, int width, Function<T, Future<?>> step) {
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1: " + width);
        }
        Promise<Void> done = Promise.promise();
        new Run<>(new ArrayDeque<>(items), step, done).start(width);
        return done.future();
    }

    private static final class Run<T> {
        private final Deque<T> waiting;
        private final Function<T, Future<?>> step;
        private final Promise<Void> done;
        private int inFlight;
        private Throwable failure;

        Run(Deque<T> waiting, Function<T, Future<?>> step, Promise<Void> done) {
            this.waiting = waiting;
            this.step = step;
            this.done = done;
        }

        void start(int width) {
            if (waiting.isEmpty()) {
                done.complete();
                return;
            }
            for (int i = 0; i < width && !waiting.isEmpty(); i++) {
                next();
            }
        }

        private void next() {
            T item = waiting.poll();
            inFlight++;
            Future<?> f;
            try {
                f = step.apply(item);
            } catch (RuntimeException e) {
                f = Future.failedFuture(e);
            }
            f.onComplete(ar -> {
                inFlight--;
                if (ar.failed() && failure == null) {
                    failure = ar.cause();
                }
                if (!waiting.isEmpty()) {
                    next();
                } else if (inFlight == 0) {
                    if (failure == null) {
                        done.complete();
                    } else {
                        done.fail(failure);
                    }
                }
            });
        }
    }
}
