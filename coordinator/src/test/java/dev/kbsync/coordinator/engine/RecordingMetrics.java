package dev.kbsync.coordinator.engine;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.metrics.MetricsSink;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** A metrics sink that counts calls per "event kb" (e.g. {@code granted alpha}), for assertions. */
final class RecordingMetrics implements MetricsSink {
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    long count(String event, String kb) {
        LongAdder adder = counts.get(event + " " + kb);
        return adder == null ? 0 : adder.sum();
    }

    @Override
    public void granted(KbId kb, long waitedMs) {
        add("granted", kb, 1);
    }

    @Override
    public void released(KbId kb, long heldMs) {
        add("released", kb, 1);
    }

    @Override
    public void expired(KbId kb) {
        add("expired", kb, 1);
    }

    @Override
    public void queueLength(KbId kb, int length) {
        add("queueLength", kb, 1);
    }

    @Override
    public void pushRejections(KbId kb, int count) {
        add("pushRejections", kb, count);
    }

    private void add(String event, KbId kb, long n) {
        counts.computeIfAbsent(event + " " + kb.value(), k -> new LongAdder()).add(n);
    }
}
