package dev.kbsync.bench;

import java.util.Locale;

/** One row of the summary: kbsync against its anchor (null for an absolute target) under a target. */
record Check(Measurement kbsync, Measurement anchor, Target target) {
    static Check of(Measurement kbsync, Measurement anchor, Target target) {
        return new Check(kbsync, anchor, target);
    }

    static Check absolute(Measurement kbsync, Target target) {
        return new Check(kbsync, null, target);
    }

    /** The compared value: the ratio to the anchor, or kbsync's own value for an absolute target. */
    double value() {
        return target.value(kbsync, anchor);
    }

    String ratio() {
        return format(target, value());
    }

    String verdict() {
        return verdict(target, value());
    }

    static String format(Target target, double value) {
        if (target.relative()) {
            return String.format(Locale.ROOT, "%.2fx", value);
        }
        return target.metric() == Metric.PERCENT ? String.format(Locale.ROOT, "%.1f %%", value) : Report.number(value);
    }

    static String verdict(Target target, double value) {
        return (target.met(value) ? "met (" : "**not met** (") + format(target, value) + ")";
    }
}
