package dev.kbsync.bench;

import java.util.Locale;

/**
 * A target of issue 6: kbsync's {@code metric} as a ratio to the anchor's (or, with no anchor, as an absolute value)
 * must be at most or at least {@code bound}.
 */
record Target(Metric metric, boolean atMost, double bound, boolean relative) {
    static Target ratioAtMost(Metric metric, double bound) {
        return new Target(metric, true, bound, true);
    }

    static Target ratioAtLeast(Metric metric, double bound) {
        return new Target(metric, false, bound, true);
    }

    static Target absoluteAtMost(Metric metric, double bound) {
        return new Target(metric, true, bound, false);
    }

    static Target absoluteAtLeast(Metric metric, double bound) {
        return new Target(metric, false, bound, false);
    }

    /** The compared value: kbsync / anchor for a relative target, kbsync's own value otherwise. */
    double value(Measurement kbsync, Measurement anchor) {
        double own = metric.of(kbsync);
        return relative ? own / metric.of(anchor) : own;
    }

    boolean met(double value) {
        return atMost ? value <= bound : value >= bound;
    }

    String describe() {
        String op = atMost ? "<=" : ">=";
        return relative
                ? String.format(Locale.ROOT, "%s %s %.1fx anchor", metric.label(), op, bound)
                : metric == Metric.PERCENT
                        ? String.format(Locale.ROOT, "%s %s %%", op, Report.number(bound))
                        : String.format(Locale.ROOT, "%s %s %s", metric.label(), op, Report.number(bound));
    }
}
