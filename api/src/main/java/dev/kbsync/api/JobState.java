package dev.kbsync.api;

/** A job's life: queued until its KB lease is granted, running on a worker, then done or failed (terminal). */
public enum JobState {
    QUEUED,
    RUNNING,
    DONE,
    FAILED;

    public boolean terminal() {
        return this == DONE || this == FAILED;
    }

    public String wire() {
        return name().toLowerCase();
    }

    public static JobState fromWire(String value) {
        return valueOf(value.toUpperCase());
    }
}
