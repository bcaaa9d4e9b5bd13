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
        new Run<>(new ArrayDeque<>(items), step, done, width).start();
        return done.future();
    }

    /**
     * One {@link #all} call. Steps are started by a loop, never from inside another step's completion handler, so a
     * step that completes at once (a pass failing fast when Redis is gone) adds no stack depth per item.
     */
    private static final class Run<T> {
        private final Deque<T> waiting;
        private final Function<T, Future<?>> step;
        private final Promise<Void> done;
        private final int width;
        private int inFlight;
        private boolean starting;
        private Throwable failure;

        Run(Deque<T> waiting, Function<T, Future<?>> step, Promise<Void> done, int width) {
            this.waiting = waiting;
            this.step = step;
            this.done = done;
            this.width = width;
        }

        /** Starts steps up to the width; a call made while the loop runs (a step completed at once) leaves it to it. */
        void start() {
            if (starting) {
                return;
            }
            starting = true;
            while (inFlight < width && !waiting.isEmpty()) {
                inFlight++;
                run(waiting.poll()).onComplete(ar -> {
                    inFlight--;
                    if (ar.failed() && failure == null) {
                        failure = ar.cause();
                    }
                    start();
                });
            }
            starting = false;
            if (inFlight == 0 && waiting.isEmpty()) {
                if (failure == null) {
                    done.tryComplete();
                } else {
                    done.tryFail(failure);
                }
            }
        }

        private Future<?> run(T item) {
            try {
                return step.apply(item);
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
    }
}
