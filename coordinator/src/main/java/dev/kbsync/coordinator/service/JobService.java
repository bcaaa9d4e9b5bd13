package dev.kbsync.coordinator.service;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.WorkerPresence;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Jobs are persisted before {@link #submit} completes, queued on their KB's fair lock, and handed to a worker only
 * once granted. A job whose worker goes silent keeps its place at the head of its KB and runs again elsewhere.
 */
public interface JobService {
    /**
     * Persists and queues, in one Redis step on a known KB, counted in the submission's rate windows (a full one:
     * 429); the same idempotency key (per user and KB) returns the first job instead of a new one, and so
     * does the same user and content within the KB's duplicate window ({@link Accepted#duplicate()}).
     */
    Future<Accepted> submit(Submission submission);

    /** {@link #submit(Submission)} by an unnamed submitter, without a duplicate window. */
    default Future<Job> submit(KbId kb, String user, JobPayload payload, Optional<String> idempotencyKey) {
        return submit(new Submission(kb, user, payload, idempotencyKey, "")).map(Accepted::job);
    }

    Future<Job> get(String jobId);

    /**
     * Stores and queues a job accepted while Redis was unreachable (a degraded coordinator's journal) under its own
     * id, once however often it is called: a job already stored under that id is answered as it is; an
     * {@code idempotencyKey} already used for another job answers that job. {@code how}: queued (searched down to the
     * token of its first degraded grant), or stored done when a degraded run landed it. {@code submitter}: the name of
     * the token that submitted it to the journal ('' when unknown: any token in scope may then cancel or retry it).
     * Fails with REDIS_UNAVAILABLE (retry later) or for good (e.g. KB_NOT_FOUND).
     */
    default Future<Job> restore(Job accepted, Optional<String> idempotencyKey, String submitter, Restoration how) {
        return Future.failedFuture(new UnsupportedOperationException("restore"));
    }

    /**
     * Raises the KB's fencing counter to at least {@code atLeast} (the highest token a degraded coordinator handed out
     * for it), in one idempotent step: every later grant's token is above every degraded publish.
     */
    default Future<Void> raiseFence(KbId kb, long atLeast) {
        return Future.failedFuture(new UnsupportedOperationException("raiseFence"));
    }

    /** Waits up to {@code wait} for a granted job of one of {@code kinds} (what the worker runs); empty when none came. */
    default Future<Optional<Assignment>> poll(String workerId, Duration wait, Set<JobKind> kinds) {
        return poll(workerId, wait, kinds, System.nanoTime());
    }

    /**
     * {@link #poll(String, Duration, Set)} of a request that arrived at {@code arrivedNanos} (System.nanoTime, before
     * what it did first, a presence renewal): a drain of its worker told after that ends it ({@link #endPolls}).
     */
    Future<Optional<Assignment>> poll(String workerId, Duration wait, Set<JobKind> kinds, long arrivedNanos);

    /**
     * {@code workerId} says it drains (it stops): its {@link #poll}s in flight here and, through the coordinators'
     * pub/sub, at the other coordinators are answered empty at once rather than at their wait's end (one that claimed a
     * job meanwhile answers it; the worker gives it back); a poll that arrives later waits as usual. Completes once
     * told.
     */
    Future<Void> endPolls(String workerId);

    /** {@link #poll(String, Duration, Set)} for a worker that runs every kind of job. */
    default Future<Optional<Assignment>> poll(String workerId, Duration wait) {
        return poll(workerId, wait, WorkerPresence.EVERY_KIND);
    }

    /**
     * Gives back an assignment {@link #poll} made for {@code workerId} that never reached it (the poll was answered
     * otherwise meanwhile, or its client left): the job is offered again at the sweep's next tick, at its place, and the
     * attempt is not counted. True if it was taken back; false if its grant ended or changed hands meanwhile.
     */
    Future<Boolean> giveBack(String workerId, Assignment assignment);

    /**
     * A worker gives back the job grant {@code leaseId} it claimed by a poll and will not run (it is stopping): the
     * job is offered again at once, at its place, and the attempt is not counted. True if
     * it was taken back; false, with nothing changed, if {@code leaseId} is no job grant that {@code workerId} holds
     * claimed and has not extended (it ended, changed hands, was given back already, or is no lease id at all). Fails
     * when Redis does (nothing or everything done: a retry is safe).
     */
    Future<Boolean> giveBack(String workerId, String leaseId);

    /** Most group-commit members one {@link #extend} takes, whatever the worker asks for. */
    int MAX_BATCH = 64;

    /**
     * Group commit: the worker holding the grant {@code leaseId} of a note job takes up to {@code max} queued note
     * jobs right behind it (contiguous, stopping at an agent job or a raw lease), each with its own lease and larger
     * fencing token, all under the head's grant; the KB is released once the head and every member completed. Empty
     * for an agent job; fails with LEASE_LOST if {@code leaseId} is not the KB's current, claimed grant.
     */
    default Future<List<Assignment>> extend(String leaseId, int max) {
        return extend(leaseId, max, () -> false);
    }

    /**
     * {@link #extend(String, int)} for a request that may be answered otherwise meanwhile (503 past its deadline, or
     * its worker gone): once the members are known, {@code unanswerable} says whether the answer can still be given;
     * if it cannot, the notes the step took are given back at once, their attempts returned, and the answer is empty.
     */
    Future<List<Assignment>> extend(String leaseId, int max, BooleanSupplier unanswerable);

    /**
     * Cancels a job no worker took yet (queued, or granted but not claimed), in one step with the grant decisions: it
     * ends {@code cancelled}, never lands, and the queue behind it moves up. {@code submitter}: the caller's token name,
     * which must be the submitting token's (empty: an admin, any job). Fails with JOB_RUNNING (a worker took it),
     * JOB_ENDED (already terminal), NOT_SUBMITTER (403) or JOB_NOT_FOUND.
     */
    Future<Job> cancel(String jobId, Optional<String> submitter);

    /**
     * The job {@code jobId} as it may be submitted again ({@code POST /v1/jobs/{id}/retry}): one that failed or was
     * cancelled, that {@code visible} lets the caller see, and that {@code submitter} (the caller's token name; empty:
     * an admin, any job) submitted. Reads only. Fails with JOB_NOT_FOUND (unknown, or not visible), NOT_SUBMITTER (403)
     * or JOB_NOT_RETRYABLE (409: queued, running or done).
     */
    Future<Job> retryable(String jobId, Optional<String> submitter, Predicate<Job> visible);

    /** A page of the job list (see {@link JobListQuery}), newest first; fails with INVALID_CURSOR for a bad cursor. */
    Future<JobPage> list(JobListQuery query);

    /** Records the outcome and releases the KB lock; fails with LEASE_LOST if the lease is no longer the job's. */
    Future<Job> complete(String jobId, JobOutcome outcome);
}
