package dev.kbsync.bench;

import java.util.Locale;

/** One row of the summary: kbsync against its anchor under a target; {@code kbsync} null means not measured. */
record Check(Measurement kbsync, Measurement anchor, Target target, String missing) {
    static Check of(Measurement kbsync, Measurement anchor, Target target) {
        return new Check(kbsync, anchor, target, null);
    }

    static Check absolute(Measurement kbsync, Target target) {
        return new Check(kbsync, null, target, null);
    }

    static Check notMeasured(Measurement anchor, Target target, String why) {
        return new Check(null, anchor, target, why);
    }

    String ratio() {
        if (kbsync == null) {
            return "-";
        }
        double value = target.value(kbsync, anchor);
        return target.relative() ? String.format(Locale.ROOT, "%.2fx", value) : Report.number(value);
    }

    String verdict() {
        if (kbsync == null) {
            return missing;
        }
        double value = target.value(kbsync, anchor);
        return (target.met(value) ? "met (" : "**not met** (") + ratio() + ")";
    }
}
