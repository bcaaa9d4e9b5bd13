package dev.kbsync.bench;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/** Latency samples in nanoseconds (thread-safe), read as milliseconds. */
final class Stats {
    private final Histogram histogram = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);

    void record(long nanos) {
        histogram.recordValue(Math.max(0, Math.min(nanos, histogram.getHighestTrackableValue())));
    }

    /** Forgets every sample (e.g. a warm-up's). */
    void reset() {
        histogram.reset();
    }

    long count() {
        return histogram.getTotalCount();
    }

    double p50Ms() {
        return histogram.getValueAtPercentile(50) / 1e6;
    }

    double p99Ms() {
        return histogram.getValueAtPercentile(99) / 1e6;
    }
}
