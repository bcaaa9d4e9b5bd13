package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.coordinator.config.EngineConfig;

/** What every KB driver of one coordinator needs to know. */
public record DriverSettings(String coordinatorId, long driverTtlMs, long maxHoldMs) {
    public static DriverSettings of(EngineConfig config) {
        return new DriverSettings(
                config.coordinatorId(),
                config.lockWatchdog().toMillis() * 2,
                config.maxHold().toMillis());
    }
}
