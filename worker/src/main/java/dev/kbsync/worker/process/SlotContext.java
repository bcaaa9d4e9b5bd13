package dev.kbsync.worker.process;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.run.JobRunner;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every poll loop ({@link PollSlot}) of a worker shares: how it polls, what runs its jobs, the worker's stop
 * flags ({@code stopping}: no new polls; {@code abandoning}: jobs stop before their push), its count of running jobs,
 * its presence and the disk check.
 */
record SlotContext(
        String workerId,
        Duration pollWait,
        KbsyncClient client,
        ModeTracker modes,
        JobRunner runner,
        WorkerMetrics metrics,
        AtomicBoolean stopping,
        AtomicBoolean abandoning,
        AtomicInteger active,
        Presence presence,
        PresenceRenewer renewer,
        CacheGuard cache) {}
