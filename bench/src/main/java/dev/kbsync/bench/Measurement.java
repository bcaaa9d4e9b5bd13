package dev.kbsync.bench;

/**
 * One subject's numbers in a scenario; {@code latency} may be null where only throughput is measured, and
 * {@code mebibytes} (a size), {@code percent} (a share or a relative error) and {@code perOp} (a count per operation)
 * are NaN unless measured.
 */
record Measurement(
        String subject, Stats latency, double perSecond, double mebibytes, String note, double percent, double perOp) {
    Measurement(String subject, Stats latency, double perSecond, double mebibytes, String note) {
        this(subject, latency, perSecond, mebibytes, note, Double.NaN, Double.NaN);
    }

    static Measurement of(String subject, Stats latency, long operations, long elapsedNanos) {
        return new Measurement(subject, latency, operations / (elapsedNanos / 1e9), Double.NaN, "");
    }

    static Measurement size(String subject, double mebibytes, String note) {
        return new Measurement(subject, null, Double.NaN, mebibytes, note);
    }

    static Measurement percent(String subject, double percent, String note) {
        return new Measurement(subject, null, Double.NaN, Double.NaN, note, percent, Double.NaN);
    }

    static Measurement perOp(String subject, double count, String note) {
        return new Measurement(subject, null, Double.NaN, Double.NaN, note, Double.NaN, count);
    }

    Measurement withNote(String text) {
        return new Measurement(subject, latency, perSecond, mebibytes, text, percent, perOp);
    }
}
