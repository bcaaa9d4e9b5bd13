package dev.kbsync.api;

/** What a job does to its KB. */
public enum JobKind {
    NOTE,
    AGENT;

    public String wire() {
        return name().toLowerCase();
    }

    public static JobKind fromWire(String value) {
        return valueOf(value.toUpperCase());
    }
}
