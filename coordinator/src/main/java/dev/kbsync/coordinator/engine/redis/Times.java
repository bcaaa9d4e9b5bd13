package dev.kbsync.coordinator.engine.redis;

import java.time.Instant;

/** Conversions of the epoch-millisecond times the scripts return (Redis TIME). */
public final class Times {
    private Times() {}

    /** Null for 0 (not set), else the instant. */
    public static Instant instant(long epochMs) {
        return epochMs == 0 ? null : Instant.ofEpochMilli(epochMs);
    }
}
