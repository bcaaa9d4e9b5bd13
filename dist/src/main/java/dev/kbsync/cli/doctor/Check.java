package dev.kbsync.cli.doctor;

import java.util.Locale;

/** One line of the doctor's report: what was checked, how it went, and what was seen (or what to do). */
public record Check(String name, Status status, String detail) {
    /** How a check went, from best to worst; {@code SKIP}: it does not apply here. */
    public enum Status {
        SKIP,
        PASS,
        WARN,
        FAIL
    }

    static Check pass(String name, String detail) {
        return new Check(name, Status.PASS, detail);
    }

    static Check warn(String name, String detail) {
        return new Check(name, Status.WARN, detail);
    }

    static Check fail(String name, String detail) {
        return new Check(name, Status.FAIL, detail);
    }

    static Check skip(String name, String detail) {
        return new Check(name, Status.SKIP, detail);
    }

    /** {@code pass  redis version           7.2.4}. */
    public String line() {
        return String.format(Locale.ROOT, "%-4s  %-26s %s", status.name().toLowerCase(Locale.ROOT), name, detail);
    }
}
