package dev.kbsync.coordinator.service;

import dev.kbsync.api.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The failed or cancelled job a retry submits again: its id, kept with the new job ({@code retryOf}), the token of its
 * first grant ({@code firstFence}, 0: it was never granted), and the jobs it retried in turn ({@code earlier}: its own
 * {@link Job#retryChain()}, empty if it was not a retry). A job can read failed although its commit landed (its grant
 * ended before its report came), and so can any job of the chain a retry of a retry goes back to, so the retry's
 * worker looks for the commit of each job of the new job's chain ({@link #chain()}), down to that token: the new job is
 * queued with it as its first token.
 */
public record Retried(String jobId, long firstFence, List<String> earlier) {
    public Retried {
        Objects.requireNonNull(jobId, "jobId");
        earlier = List.copyOf(earlier);
        if (firstFence < 0) {
            throw new IllegalArgumentException("firstFence must be >= 0, got " + firstFence);
        }
    }

    /** The retry of a job that was not a retry itself. */
    public Retried(String jobId, long firstFence) {
        this(jobId, firstFence, List.of());
    }

    /** The new job's retry chain: the retried job, then the jobs it retried, at most {@link Job#MAX_RETRY_CHAIN}. */
    public List<String> chain() {
        List<String> chain = new ArrayList<>();
        chain.add(jobId);
        earlier.stream().limit(Job.MAX_RETRY_CHAIN - 1L).forEach(chain::add);
        return List.copyOf(chain);
    }
}
