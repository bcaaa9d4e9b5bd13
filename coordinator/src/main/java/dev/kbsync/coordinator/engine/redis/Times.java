package dev.kbsync.coordinator.engine.redis;

import java.time.Instant;

/** Conversions of the epoch-millisecond strings the scripts return. */
public final class Times {
    private Times() {}

    /** Null for 0 (not set), else the instant. */
    public static Instant instant(long epochMs) {
        return epochMs == 0 ? null : Instant.ofEpochMilli(epochMs);
    }

    public static Long optLong(String text) {
        return text == null || text.isEmpty() ? null : Long.valueOf(text);
    }
}
