package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.coordinator.config.EngineConfig;

/** What every per-KB step of one coordinator needs to know (the scripts' common arguments, the drivers' timing). */
public record DriverSettings(
        String coordinatorId,
        long driverTtlMs,
        long maxHoldMs,
        long waiterTtlMs,
        int maxAttempts,
        long retentionMs,
        long affinityWindowMs) {
    public static DriverSettings of(EngineConfig config) {
        return new DriverSettings(
                config.coordinatorId(),
                config.lockWatchdog().toMillis() * 2,
                config.maxHold().toMillis(),
                config.waiterTtl().toMillis(),
                config.jobs().maxAttempts(),
                config.jobs().retention().toMillis(),
                config.jobs().affinityWindow().toMillis());
    }
}
