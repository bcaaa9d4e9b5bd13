package dev.kbsync.coordinator.service;

import java.util.Objects;

/**
 * The failed or cancelled job a retry submits again: its id, kept with the new job ({@code retryOf}), and the token of
 * its first grant ({@code firstFence}, 0: it was never granted). A job can read failed although its commit landed (its
 * grant ended before its report came), so the retry's worker looks for that job's commit too, down to that token: the
 * new job is queued with it as its first token.
 */
public record Retried(String jobId, long firstFence) {
    public Retried {
        Objects.requireNonNull(jobId, "jobId");
        if (firstFence < 0) {
            throw new IllegalArgumentException("firstFence must be >= 0, got " + firstFence);
        }
    }
}
