package dev.kbsync.coordinator.contract;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.service.CoordinatorServices;
import java.time.Duration;

/**
 * What the contract suites run against: two coordinators that share one Redis deployment, started with
 * {@link #CONFIG}. Each test registers KBs of its own ({@link #kb}), so tests of one run never see each other's queues.
 */
public interface ContractTarget {
    /** Lease TTL 1 s, maximum hold 2.5 s, waiter TTL 2 s, watchdog 1.5 s, sweep 100 ms, 2 attempts per job. */
    EngineConfig CONFIG = new EngineConfig(
            "contract",
            Duration.ofSeconds(1),
            Duration.ofMillis(2500),
            Duration.ofSeconds(2),
            Duration.ofMillis(1500),
            Duration.ofMillis(100),
            new EngineConfig.Jobs(2, Duration.ofHours(1)),
            EngineConfig.Durability.defaults());

    /** Coordinator 0 or 1. */
    CoordinatorServices coordinator(int index);

    /** Registers a new KB, unique in this run, whose id starts with {@code name}. */
    KbId kb(String name);

    /** Keys stored in Redis now (all masters), leaving out what the engine keeps on its own (driver keys). */
    long storedKeys();
}
