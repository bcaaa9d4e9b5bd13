package dev.kbsync.coordinator.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Engine settings, validated. {@code leaseTtl}: a holder silent this long loses its lease; {@code maxHold}: hard cap
 * on one grant; {@code waiterTtl}: a raw waiter not kept alive this long leaves the queue; {@code lockWatchdog}:
 * Redisson lock renewal period owner (a dead coordinator's locks lapse after it); {@code sweepInterval}: how often
 * expiries are checked; {@code jobs}: attempt limit and retention of finished jobs; {@code durability}: replica
 * acknowledgement of the writes that create jobs and grants, and the eviction-policy check at start; {@code webhooks}:
 * which callback URLs jobs may name and how deliveries are signed and retried.
 */
public record EngineConfig(
        String coordinatorId,
        Duration leaseTtl,
        Duration maxHold,
        Duration waiterTtl,
        Duration lockWatchdog,
        Duration sweepInterval,
        Jobs jobs,
        Durability durability,
        Webhooks webhooks) {

    public EngineConfig {
        Objects.requireNonNull(coordinatorId, "coordinatorId");
        positive("leaseTtl", leaseTtl);
        positive("maxHold", maxHold);
        positive("waiterTtl", waiterTtl);
        positive("lockWatchdog", lockWatchdog);
        positive("sweepInterval", sweepInterval);
        Objects.requireNonNull(jobs, "jobs");
        Objects.requireNonNull(durability, "durability");
        Objects.requireNonNull(webhooks, "webhooks");
        if (maxHold.compareTo(leaseTtl) < 0) {
            throw new IllegalArgumentException("maxHold (" + maxHold + ") must be >= leaseTtl (" + leaseTtl + ")");
        }
        if (jobs.affinityWindow().compareTo(leaseTtl) >= 0) {
            throw new IllegalArgumentException("the affinity window (" + jobs.affinityWindow()
                    + ") must be shorter than leaseTtl (" + leaseTtl + ")");
        }
    }

    /** Without webhooks. */
    public EngineConfig(
            String coordinatorId,
            Duration leaseTtl,
            Duration maxHold,
            Duration waiterTtl,
            Duration lockWatchdog,
            Duration sweepInterval,
            Jobs jobs,
            Durability durability) {
        this(
                coordinatorId,
                leaseTtl,
                maxHold,
                waiterTtl,
                lockWatchdog,
                sweepInterval,
                jobs,
                durability,
                Webhooks.off());
    }

    /** The timing settings with the default {@link Jobs} and {@link Durability}. */
    public EngineConfig(
            String coordinatorId,
            Duration leaseTtl,
            Duration maxHold,
            Duration waiterTtl,
            Duration lockWatchdog,
            Duration sweepInterval) {
        this(
                coordinatorId,
                leaseTtl,
                maxHold,
                waiterTtl,
                lockWatchdog,
                sweepInterval,
                Jobs.defaults(),
                Durability.defaults());
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

    /** The same settings for another coordinator. */
    public EngineConfig withId(String id) {
        return new EngineConfig(
                id, leaseTtl, maxHold, waiterTtl, lockWatchdog, sweepInterval, jobs, durability, webhooks);
    }

    /** The same settings with another sweep interval. */
    public EngineConfig withSweepInterval(Duration interval) {
        return new EngineConfig(
                coordinatorId, leaseTtl, maxHold, waiterTtl, lockWatchdog, interval, jobs, durability, webhooks);
    }

    /** The same settings with another lease TTL. */
    public EngineConfig withLeaseTtl(Duration ttl) {
        return new EngineConfig(
                coordinatorId, ttl, maxHold, waiterTtl, lockWatchdog, sweepInterval, jobs, durability, webhooks);
    }

    /** The same settings with other job settings. */
    public EngineConfig withJobs(Jobs other) {
        return new EngineConfig(
                coordinatorId, leaseTtl, maxHold, waiterTtl, lockWatchdog, sweepInterval, other, durability, webhooks);
    }

    /** The same settings with other durability settings. */
    public EngineConfig withDurability(Durability other) {
        return new EngineConfig(
                coordinatorId, leaseTtl, maxHold, waiterTtl, lockWatchdog, sweepInterval, jobs, other, webhooks);
    }

    /** The same settings with other webhook settings. */
    public EngineConfig withWebhooks(Webhooks other) {
        return new EngineConfig(
                coordinatorId, leaseTtl, maxHold, waiterTtl, lockWatchdog, sweepInterval, jobs, durability, other);
    }

    /**
     * {@code maxAttempts}: grants of a job that may end without an outcome (its worker went silent or overran the
     * maximum hold) before the job fails; {@code retention}: how long finished jobs, ended leases and idempotency
     * keys are kept; {@code affinityWindow}: how long a KB's job grant waits for the worker that last released a
     * grant of the KB before any worker may take it (zero: no worker affinity).
     */
    public record Jobs(int maxAttempts, Duration retention, Duration affinityWindow) {
        public static final Duration DEFAULT_AFFINITY_WINDOW = Duration.ofMillis(50);

        public Jobs {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, got " + maxAttempts);
            }
            positive("retention", retention);
            Objects.requireNonNull(affinityWindow, "affinityWindow");
            if (affinityWindow.isNegative()) {
                throw new IllegalArgumentException("affinityWindow must be >= 0, got " + affinityWindow);
            }
        }

        /** The default worker affinity window (50 ms). */
        public Jobs(int maxAttempts, Duration retention) {
            this(maxAttempts, retention, DEFAULT_AFFINITY_WINDOW);
        }

        /** 3 attempts, 7 days, 50 ms affinity window. */
        public static Jobs defaults() {
            return new Jobs(3, Duration.ofDays(7));
        }
    }

    /**
     * {@code waitReplicas}: replicas that must acknowledge a write that creates a job or a grant before it is answered
     * ({@link #AUTO}: 1 when the deployment has replicas, 0 for a single Redis); {@code waitTimeout}: how long to wait
     * for them; {@code allowEviction}: start even though Redis may evict keys ({@code maxmemory-policy} other than
     * {@code noeviction}).
     */
    public record Durability(int waitReplicas, Duration waitTimeout, boolean allowEviction) {
        public static final int AUTO = -1;

        public Durability {
            if (waitReplicas < AUTO) {
                throw new IllegalArgumentException("waitReplicas must be >= 0 (or AUTO), got " + waitReplicas);
            }
            positive("waitTimeout", waitTimeout);
        }

        /** Auto replicas, 1 s timeout, eviction refused. */
        public static Durability defaults() {
            return new Durability(AUTO, Duration.ofSeconds(1), false);
        }
    }

    private static void positive(String name, Duration value) {
        if (value == null || value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
        }
    }
}
