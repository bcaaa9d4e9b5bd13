package dev.kbsync.coordinator;

import io.vertx.core.Future;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/** The steps of a coordinator's stop that are under way, by name: what a stop past its bound had not finished. */
final class StopSteps {
    private final Set<String> underWay = new LinkedHashSet<>(); // guarded by this

    /** Runs {@code step} under {@code name}, which counts as under way until its future completes. */
    <T> Future<T> run(String name, Supplier<Future<T>> step) {
        synchronized (this) {
            underWay.add(name);
        }
        Future<T> running;
        try {
            running = step.get();
        } catch (RuntimeException e) {
            running = Future.failedFuture(e);
        }
        return running.onComplete(r -> done(name));
    }

    /** The steps begun and not finished, in the order they began. */
    synchronized List<String> underWay() {
        return List.copyOf(underWay);
    }

    private synchronized void done(String name) {
        underWay.remove(name);
    }
}
