package dev.kbsync.worker.run;

import java.time.Duration;
import java.util.Objects;

/**
 * Job runner settings: commit author e-mail domain, maintenance period (in jobs per checkout), most note jobs landed
 * in one pull/push cycle (group commit; 1 = one job per cycle), phase listener, and how long before a grant's hard
 * deadline a unit is stopped.
 */
public record RunnerSettings(
        String emailDomain, int maintainEvery, int batchMax, PhaseListener listener, Duration deadlineMargin) {
    /** Stop this long before a grant's hard deadline (capped at half the lease TTL). */
    public static final Duration DEFAULT_DEADLINE_MARGIN = Duration.ofSeconds(5);

    public RunnerSettings(String emailDomain, int maintainEvery, int batchMax, PhaseListener listener) {
        this(emailDomain, maintainEvery, batchMax, listener, DEFAULT_DEADLINE_MARGIN);
    }

    public RunnerSettings {
        if (deadlineMargin == null || deadlineMargin.isNegative()) {
            throw new IllegalArgumentException("deadlineMargin must be >= 0, got " + deadlineMargin);
        }
        if (emailDomain == null || emailDomain.isBlank() || emailDomain.contains("@")) {
            throw new IllegalArgumentException("emailDomain must be a bare domain, got " + emailDomain);
        }
        if (maintainEvery < 1) {
            throw new IllegalArgumentException("maintainEvery must be >= 1, got " + maintainEvery);
        }
        if (batchMax < 1) {
            throw new IllegalArgumentException("batchMax must be >= 1, got " + batchMax);
        }
        Objects.requireNonNull(listener, "listener");
    }
}
