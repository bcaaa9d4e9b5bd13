package dev.kbsync.coordinator.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Engine settings, validated. {@code leaseTtl}: a holder silent this long loses its lease; {@code maxHold}: hard cap
 * on one grant; {@code waiterTtl}: a raw waiter not kept alive this long leaves the queue; {@code lockWatchdog}:
 * Redisson lock renewal period owner (a dead coordinator's locks lapse after it); {@code sweepInterval}: how often
 * expiries are checked.
 */
public record EngineConfig(
        String coordinatorId,
        Duration leaseTtl,
        Duration maxHold,
        Duration waiterTtl,
        Duration lockWatchdog,
        Duration sweepInterval) {

    public EngineConfig {
        Objects.requireNonNull(coordinatorId, "coordinatorId");
        positive("leaseTtl", leaseTtl);
        positive("maxHold", maxHold);
        positive("waiterTtl", waiterTtl);
        positive("lockWatchdog", lockWatchdog);
        positive("sweepInterval", sweepInterval);
        if (maxHold.compareTo(leaseTtl) < 0) {
            throw new IllegalArgumentException("maxHold (" + maxHold + ") must be >= leaseTtl (" + leaseTtl + ")");
        }
    }

    /** 30 s lease TTL, 300 s maximum hold, 5 s waiter TTL, 10 s lock watchdog, 250 ms sweep. */
    public static EngineConfig defaults(String coordinatorId) {
        return new EngineConfig(
                coordinatorId,
                Duration.ofSeconds(30),
                Duration.ofSeconds(300),
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofMillis(250));
    }

    /** The same settings with another lease TTL. */
    public EngineConfig withLeaseTtl(Duration ttl) {
        return new EngineConfig(coordinatorId, ttl, maxHold, waiterTtl, lockWatchdog, sweepInterval);
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }
}
