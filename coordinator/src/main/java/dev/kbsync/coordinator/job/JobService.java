package dev.kbsync.coordinator.job;

import dev.kbsync.kb.Job;
import dev.kbsync.kb.JobPayload;
import dev.kbsync.kb.KbId;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Optional;

/**
 * Jobs are persisted before {@link #submit} completes, queued on their KB's fair lock, and handed to a worker only
 * once granted. A job whose worker goes silent keeps its place at the head of its KB and runs again elsewhere.
 */
public interface JobService {
    /** Persists and queues; the same {@code idempotencyKey} (per user) returns the first job instead of a new one. */
    Future<Job> submit(KbId kb, String user, JobPayload payload, Optional<String> idempotencyKey);

    Future<Job> get(String jobId);

    /** Waits up to {@code wait} for a granted job; empty when none came. */
    Future<Optional<Assignment>> poll(String workerId, Duration wait);

    /** Records the outcome and releases the KB lock; fails with LEASE_LOST if the lease is no longer the job's. */
    Future<Job> complete(String jobId, JobOutcome outcome);
}
