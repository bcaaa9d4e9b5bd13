package dev.kbsync.coordinator.service;

import dev.kbsync.api.Job;

/**
 * A submission's answer: the job, whether it is an earlier job the submission duplicated (the KB's window), and the
 * least room left in the rate-limit windows it was counted in ({@link Integer#MAX_VALUE}: none).
 */
public record Accepted(Job job, boolean duplicate, int remaining) {
    /** This answer with {@code other} as the room left if that is less. */
    public Accepted least(int other) {
        return new Accepted(job, duplicate, Math.min(remaining, other));
    }
}
