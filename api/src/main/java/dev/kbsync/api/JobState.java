package dev.kbsync.api;

import java.util.Locale;

/**
 * A job's life: queued until its KB lease is granted, running on a worker, then done or failed; or cancelled while it
 * was queued (never lands). The last three are terminal.
 */
public enum JobState {
    QUEUED,
    RUNNING,
    DONE,
    FAILED,
    CANCELLED;

    public boolean terminal() {
        return this == DONE || this == FAILED || this == CANCELLED;
    }

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobState fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
