package dev.kbsync.coordinator.engine;

import java.time.Instant;

/** Conversions of the epoch-millisecond strings the scripts return. */
final class Times {
    private Times() {}

    /** Null for 0 (not set), else the instant. */
    static Instant instant(long epochMs) {
        return epochMs == 0 ? null : Instant.ofEpochMilli(epochMs);
    }

    static Long optLong(String text) {
        return text == null || text.isEmpty() ? null : Long.valueOf(text);
    }
}
