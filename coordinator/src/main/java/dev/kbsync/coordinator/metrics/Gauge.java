package dev.kbsync.coordinator.metrics;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** The last reported value per label combination. */
final class Gauge extends Family<AtomicLong> {
    Gauge(String name, String help, String... labelNames) {
        super(name, help, "gauge", List.of(labelNames), AtomicLong::new);
    }

    void set(long value, String... labelValues) {
        child(labelValues).set(value);
    }

    @Override
    void renderChild(StringBuilder out, String name, List<String> labelValues, AtomicLong child) {
        out.append(name)
                .append(labels(labelValues, ""))
                .append(' ')
                .append(child.get())
                .append('\n');
    }
}
