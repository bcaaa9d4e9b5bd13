package dev.kbsync.api;

import java.util.Locale;

/** A lease request's life: waiting in the KB queue, granted (holds the lock), then released or expired. */
public enum LeaseState {
    WAITING,
    GRANTED,
    RELEASED,
    EXPIRED;

    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LeaseState fromWire(String value) {
        return valueOf(value.toUpperCase(Locale.ROOT));
    }
}
