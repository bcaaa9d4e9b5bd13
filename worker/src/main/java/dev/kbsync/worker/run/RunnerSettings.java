package dev.kbsync.worker.run;

import java.util.Objects;

/**
 * Job runner settings: commit author e-mail domain, maintenance period (in jobs per checkout), most note jobs landed
 * in one pull/push cycle (group commit; 1 = one job per cycle), phase listener.
 */
public record RunnerSettings(String emailDomain, int maintainEvery, int batchMax, PhaseListener listener) {
    public RunnerSettings {
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
