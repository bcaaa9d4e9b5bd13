package dev.kbsync.worker.run;

import java.util.Objects;

/** Job runner settings: commit author e-mail domain, maintenance period (in jobs per checkout), phase listener. */
public record RunnerSettings(String emailDomain, int maintainEvery, PhaseListener listener) {
    public RunnerSettings {
        if (emailDomain == null || emailDomain.isBlank() || emailDomain.contains("@")) {
            throw new IllegalArgumentException("emailDomain must be a bare domain, got " + emailDomain);
        }
        if (maintainEvery < 1) {
            throw new IllegalArgumentException("maintainEvery must be >= 1, got " + maintainEvery);
        }
        Objects.requireNonNull(listener, "listener");
    }
}
