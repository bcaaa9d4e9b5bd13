package dev.kbsync.bench;

/** What a target compares: a latency percentile, a rate, a size, a percentage, or a count per operation. */
enum Metric {
    P50("p50"),
    P99("p99"),
    RATE("ops/s"),
    MEBIBYTES("MiB"),
    PERCENT("%"),
    PER_OP("per op");

    private final String label;

    Metric(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    double of(Measurement m) {
        return switch (this) {
            case P50 -> m.latency().p50Ms();
            case P99 -> m.latency().p99Ms();
            case RATE -> m.perSecond();
            case MEBIBYTES -> m.mebibytes();
            case PERCENT -> m.percent();
            case PER_OP -> m.perOp();
        };
    }
}
