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

    String ratio() {
        double value = target.value(kbsync, anchor);
        return target.relative() ? String.format(Locale.ROOT, "%.2fx", value) : Report.number(value);
    }

    String verdict() {
        return (target.met(target.value(kbsync, anchor)) ? "met (" : "**not met** (") + ratio() + ")";
    }
}
