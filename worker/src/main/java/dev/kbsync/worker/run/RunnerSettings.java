package dev.kbsync.worker.run;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Job runner settings: commit author e-mail domain, maintenance period (in jobs per checkout), most note jobs landed
 * in one pull/push cycle (group commit; 1 = one job per cycle), phase listener, how long before a grant's hard
 * deadline a unit is stopped, and the note agent's timeout when notes run one ({@link #notesThatFit}).
 */
public record RunnerSettings(
        String emailDomain,
        int maintainEvery,
        int batchMax,
        PhaseListener listener,
        Duration deadlineMargin,
        Optional<Duration> noteAgentTimeout) {
    /** Stop this long before a grant's hard deadline (capped at half the lease TTL). */
    public static final Duration DEFAULT_DEADLINE_MARGIN = Duration.ofSeconds(5);

    public RunnerSettings(String emailDomain, int maintainEvery, int batchMax, PhaseListener listener) {
        this(emailDomain, maintainEvery, batchMax, listener, DEFAULT_DEADLINE_MARGIN, Optional.empty());
    }

    /**
     * Most note jobs one cycle takes with {@code timeLeft} until its stop (empty: no deadline): {@link #batchMax}, or
     * with a note agent only as many as its runs fit in that time at their timeout each (at least the head), so a
     * group commit never outlasts its grant because the agent ran once per note.
     */
    public int notesThatFit(Optional<Duration> timeLeft) {
        if (noteAgentTimeout.isEmpty() || timeLeft.isEmpty()) {
            return batchMax;
        }
        long fit =
                timeLeft.get().toMillis() / Math.max(1, noteAgentTimeout.get().toMillis());
        return (int) Math.max(1, Math.min(batchMax, fit));
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
        Objects.requireNonNull(noteAgentTimeout, "noteAgentTimeout");
    }
}
