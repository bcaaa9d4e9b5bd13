package dev.kbsync.coordinator.metrics;

import java.util.List;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** Observations in seconds, counted into cumulative buckets, with sum and count. */
final class Histogram extends Family<Histogram.Buckets> {
    static final double[] BOUNDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};

    Histogram(String name, String help, String... labelNames) {
        super(name, help, "histogram", List.of(labelNames), Buckets::new);
    }

    void observe(double seconds, String... labelValues) {
        Buckets b = child(labelValues);
        for (int i = 0; i < BOUNDS.length; i++) {
            if (seconds <= BOUNDS[i]) {
                b.counts[i].increment();
            }
        }
        b.count.increment();
        b.sum.add(seconds);
    }

    @Override
    void renderChild(StringBuilder out, String name, List<String> labelValues, Buckets b) {
        for (int i = 0; i < BOUNDS.length; i++) {
            line(out, name + "_bucket", labels(labelValues, "le=\"" + BOUNDS[i] + "\""), b.counts[i].sum());
        }
        long count = b.count.sum();
        line(out, name + "_bucket", labels(labelValues, "le=\"+Inf\""), count);
        out.append(name)
                .append("_sum")
                .append(labels(labelValues, ""))
                .append(' ')
                .append(b.sum.sum())
                .append('\n');
        line(out, name + "_count", labels(labelValues, ""), count);
    }

    private static void line(StringBuilder out, String name, String labels, long value) {
        out.append(name).append(labels).append(' ').append(value).append('\n');
    }

    static final class Buckets {
        final LongAdder[] counts = new LongAdder[BOUNDS.length];
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        Buckets() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new LongAdder();
            }
        }
    }
}
