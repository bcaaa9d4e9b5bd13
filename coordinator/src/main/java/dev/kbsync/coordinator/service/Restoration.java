package dev.kbsync.coordinator.service;

import dev.kbsync.api.JobOutcome;
import java.util.Optional;

/**
 * What a degraded coordinator knows of a journal job it restores into Redis ({@link JobService#restore}): the fencing
 * token of the job's first degraded grant ({@code firstFence}, 0: never handed out; a later run's exactly-once search
 * reaches down to it), whether a worker had it ({@code handedOut}: it may have pushed it, so it is not cancellable)
 * and, when a degraded run landed the job, that run's outcome and token: the job is stored done. A retry is submitted
 * as one searched down to its earlier job's first token, which no worker had itself ({@link #retrying}).
 */
public record Restoration(long firstFence, boolean handedOut, Optional<JobOutcome.Done> landed, long landedFence) {
    public Restoration {
        if (firstFence < 0 || landedFence < 0 || (landed.isPresent() && (landedFence <= 0 || firstFence <= 0))) {
            throw new IllegalArgumentException("a landed job needs its tokens, got " + firstFence + ", " + landedFence);
        }
    }

    /** Never handed out: queued as accepted. */
    public static Restoration queued() {
        return new Restoration(0, false, Optional.empty(), 0);
    }

    /** Handed out (first under {@code firstFence}), not known to have landed: queued, searched down to that token. */
    public static Restoration handedOut(long firstFence) {
        return new Restoration(firstFence, true, Optional.empty(), 0);
    }

    /** A retry of a job first granted under {@code firstFence}: queued, searched down to that token. */
    public static Restoration retrying(long firstFence) {
        return new Restoration(firstFence, false, Optional.empty(), 0);
    }

    /** Landed by a degraded run under {@code fence}: stored done with {@code outcome}. */
    public static Restoration landed(long firstFence, JobOutcome.Done outcome, long fence) {
        return new Restoration(firstFence, true, Optional.of(outcome), fence);
    }
}
