package dev.kbsync.bench;

/**
 * One subject's numbers in a scenario; {@code latency} may be null where only throughput is measured, and
 * {@code mebibytes} is NaN unless a size was measured.
 */
record Measurement(String subject, Stats latency, double perSecond, double mebibytes, String note) {
    static Measurement of(String subject, Stats latency, long operations, long elapsedNanos) {
        return new Measurement(subject, latency, operations / (elapsedNanos / 1e9), Double.NaN, "");
    }

    static Measurement size(String subject, double mebibytes, String note) {
        return new Measurement(subject, null, Double.NaN, mebibytes, note);
    }

    Measurement withNote(String text) {
        return new Measurement(subject, latency, perSecond, mebibytes, text);
    }
}
