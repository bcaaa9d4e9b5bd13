package dev.kbsync.coordinator.metrics;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** A monotonically increasing count per label combination. */
final class Counter extends Family<LongAdder> {
    Counter(String name, String help, String... labelNames) {
        super(name, help, "counter", List.of(labelNames), LongAdder::new);
    }

    void inc(long amount, String... labelValues) {
        child(labelValues).add(amount);
    }

    @Override
    void renderChild(StringBuilder out, String name, List<String> labelValues, LongAdder child) {
        out.append(name)
                .append(labels(labelValues, ""))
                .append(' ')
                .append(child.sum())
                .append('\n');
    }
}
