package dev.kbsync.bench;

/** One subject's numbers in a scenario; {@code latency} may be null where only throughput is measured. */
record Measurement(String subject, Stats latency, double perSecond, String note) {
    static Measurement of(String subject, Stats latency, long operations, long elapsedNanos) {
        return new Measurement(subject, latency, operations / (elapsedNanos / 1e9), "");
    }

    Measurement withNote(String text) {
        return new Measurement(subject, latency, perSecond, text);
    }
}
