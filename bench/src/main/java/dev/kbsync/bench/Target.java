package dev.kbsync.bench;

import java.util.Locale;

/**
 * A target of issue 6: kbsync's {@code metric} as a ratio to the anchor's (or, with no anchor, as an absolute value)
 * must be at most, at least or exactly {@code bound}.
 */
record Target(Metric metric, Bound kind, double bound, boolean relative) {
    /** How the value compares with the bound. */
    enum Bound {
        AT_MOST("<="),
        AT_LEAST(">="),
        EXACTLY("=");

        private final String op;

        Bound(String op) {
            this.op = op;
        }
    }

    static Target ratioAtMost(Metric metric, double bound) {
        return new Target(metric, Bound.AT_MOST, bound, true);
    }

    static Target ratioAtLeast(Metric metric, double bound) {
        return new Target(metric, Bound.AT_LEAST, bound, true);
    }

    static Target absoluteAtMost(Metric metric, double bound) {
        return new Target(metric, Bound.AT_MOST, bound, false);
    }

    static Target absoluteAtLeast(Metric metric, double bound) {
        return new Target(metric, Bound.AT_LEAST, bound, false);
    }

    /** A count that must come out exactly (such as one command per operation: fewer is a miss too). */
    static Target absoluteExactly(Metric metric, double bound) {
        return new Target(metric, Bound.EXACTLY, bound, false);
    }

    /** The compared value: kbsync / anchor for a relative target, kbsync's own value otherwise. */
    double value(Measurement kbsync, Measurement anchor) {
        double own = metric.of(kbsync);
        return relative ? own / metric.of(anchor) : own;
    }

    boolean met(double value) {
        return switch (kind) {
            case AT_MOST -> value <= bound;
            case AT_LEAST -> value >= bound;
            case EXACTLY -> value == bound;
        };
    }

    String describe() {
        String op = kind.op;
        return relative
                ? String.format(Locale.ROOT, "%s %s %.1fx anchor", metric.label(), op, bound)
                : metric == Metric.PERCENT
                        ? String.format(Locale.ROOT, "%s %s %%", op, Report.number(bound))
                        : String.format(Locale.ROOT, "%s %s %s", metric.label(), op, Report.number(bound));
    }
}
