package dev.kbsync.worker.run;

import java.time.Duration;
import java.util.function.Supplier;

/** Adds up the time spent in git operations during one cycle. */
final class GitStopwatch {
    private long nanos;

    <T> T time(Supplier<T> operation) {
        long start = System.nanoTime();
        try {
            return operation.get();
        } finally {
            nanos += System.nanoTime() - start;
        }
    }

    Duration total() {
        return Duration.ofNanos(nanos);
    }
}
