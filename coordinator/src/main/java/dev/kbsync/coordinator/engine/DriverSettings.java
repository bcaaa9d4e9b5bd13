package dev.kbsync.coordinator.engine;

/** What every KB driver of one coordinator needs to know. */
record DriverSettings(String coordinatorId, long driverTtlMs, long maxHoldMs) {
    static DriverSettings of(EngineConfig config) {
        return new DriverSettings(
                config.coordinatorId(),
                config.lockWatchdog().toMillis() * 2,
                config.maxHold().toMillis());
    }
}
