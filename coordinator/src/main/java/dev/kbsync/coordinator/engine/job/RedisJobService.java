package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.store.Idempotency;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancellation;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Completed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Kept;
import dev.kbsync.coordinator.engine.ticket.TicketKind;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.ForbiddenException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.Accepted;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.Restoration;
import dev.kbsync.coordinator.service.Submission;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Durable jobs: stored and queued as a KB ticket in one step, dispatched once granted, completed under their lease in
 * one step with the release. A job lives in its KB's hash slot ({@link JobRef}).
 */
public final class RedisJobService implements JobService {
    private final EngineConfig config;
    private final Clock clock;
    private final Tickets tickets;
    private final Idempotency idempotency;
    private final RedisKbRegistry kbs;
    private final Assigner assigner;
    private final Changes changes;
    private final MetricsSink metrics;
    private final JobLists lists;

    public RedisJobService(
            EngineConfig config,
            Clock clock,
            Tickets tickets,
            Idempotency idempotency,
            RedisKbRegistry kbs,
            Assigner assigner,
            Changes changes,
            MetricsSink metrics) {
        this.config = config;
        this.clock = clock;
        this.tickets = tickets;
        this.idempotency = idempotency;
        this.kbs = kbs;
        this.assigner = assigner;
        this.changes = changes;
        this.metrics = metrics;
        this.lists = new JobLists(tickets);
    }

    @Override
    public Future<Accepted> submit(Submission s) {
        JobRef ref = JobRef.create(s.kb());
        Future<String> first;
        if (s.idempotencyKey().isPresent()) {
            first = idempotency.claim(s.user(), s.idempotencyKey().get(), ref.id());
        } else if (s.dedupeWindow().compareTo(Duration.ZERO) > 0) {
            first = idempotency.claimContent(s.kb().value(), s.contentHash(), ref.id(), s.dedupeWindow());
        } else {
            first = Future.succeededFuture(ref.id());
        }
        return kbs.require(s.kb())
                .compose(v -> first)
                .compose(id -> id.equals(ref.id())
                        ? enqueue(ref, s).map(job -> new Accepted(job, false))
                        : existing(id, s, s.idempotencyKey().isEmpty()));
    }

    @Override
    public Future<JobPage> list(JobListQuery query) {
        return lists.page(query);
    }

    @Override
    public Future<Job> cancel(String jobId, Optional<String> submitter) {
        return JobRef.of(jobId)
                .compose(ref -> tickets.cancel(ref, submitter.orElse("")).compose(c -> cancelled(ref, c)));
    }

    private Future<Job> cancelled(JobRef ref, Cancellation c) {
        return switch (c.report()) {
            case CANCELLED -> {
                if (c.released() instanceof Ended ended) {
                    metrics.released(ref.kb(), ended.heldMs());
                }
                changes.released(ref.kb(), c.released());
                Job job = c.job().orElseThrow();
                changes.ended(job);
                yield Future.succeededFuture(job);
            }
            case RUNNING ->
                Future.failedFuture(new ConflictException(
                        "JOB_RUNNING", "job " + ref.id() + " was taken by a worker: it runs to its outcome"));
            case ENDED ->
                Future.failedFuture(new ConflictException(
                        "JOB_ENDED",
                        "job " + ref.id() + " already ended: "
                                + c.job().map(j -> j.state().wire()).orElse("?")));
            case FORBIDDEN ->
                Future.failedFuture(new ForbiddenException(
                        "NOT_SUBMITTER",
                        "only the token that submitted job " + ref.id() + ", or an admin, may cancel it"));
            case UNKNOWN -> Future.failedFuture(JobRef.notFound(ref.id()));
        };
    }

    @Override
    public Future<Job> restore(Job accepted, Optional<String> idempotencyKey, Restoration how) {
        return JobRef.of(accepted.id())
                .compose(ref -> kbs.require(ref.kb())
                        .compose(v -> tickets.job(ref))
                        .compose(stored -> {
                            if (stored.isPresent()) {
                                return Future.succeededFuture(stored.get());
                            }
                            if (idempotencyKey.isEmpty()) {
                                return restored(ref, accepted, how);
                            }
                            Submission s =
                                    new Submission(ref.kb(), accepted.user(), accepted.payload(), idempotencyKey, "");
                            return idempotency
                                    .claim(accepted.user(), idempotencyKey.get(), ref.id())
                                    .compose(id -> id.equals(ref.id())
                                            ? restored(ref, accepted, how)
                                            : existing(id, s, false).map(Accepted::job));
                        }));
    }

    @Override
    public Future<Void> raiseFence(KbId kb, long atLeast) {
        return kbs.require(kb).compose(v -> tickets.raiseFence(kb, atLeast)).mapEmpty();
    }

    /** Stores a journal job as {@code how} says: queued (and announced as such), or done by its degraded run. */
    private Future<Job> restored(JobRef ref, Job accepted, Restoration how) {
        Job job = queued(ref, accepted.user(), accepted.payload(), accepted.createdAt());
        return tickets.enqueueRestored(ref.kb(), ref.ticket(), config.leaseTtl().toMillis(), job, how)
                .map(enqueued -> {
                    if (how.landed().isPresent()) {
                        changes.ended(enqueued.job());
                    } else {
                        changes.enqueued(ref.kb(), enqueued);
                    }
                    return enqueued.job();
                });
    }

    @Override
    public Future<Job> get(String jobId) {
        return JobRef.of(jobId).compose(tickets::job).map(job -> job.orElseThrow(() -> JobRef.notFound(jobId)));
    }

    @Override
    public Future<Optional<Assignment>> poll(String workerId, Duration wait) {
        return assigner.next(workerId, System.nanoTime() + wait.toNanos());
    }

    @Override
    public Future<List<Assignment>> extend(String leaseId, int max) {
        return current(leaseId)
                .compose(ref -> ref.forJob()
                        ? tickets.extend(ref, Math.max(0, Math.min(max, MAX_BATCH)))
                                .compose(batch -> batch.isPresent()
                                        ? assigner.assignments(
                                                ref.kb(), batch.get().members())
                                        : Future.failedFuture(lost(leaseId)))
                        : Future.failedFuture(lost(leaseId)));
    }

    @Override
    public Future<Job> complete(String jobId, JobOutcome outcome) {
        return JobRef.of(jobId)
                .compose(job -> tickets.complete(job, outcome).compose(completed -> answer(job, outcome, completed)));
    }

    private Future<Job> answer(JobRef ref, JobOutcome outcome, Completed completed) {
        return switch (completed.report()) {
            case RECORDED -> {
                completed.ended().ifPresent(ended -> {
                    metrics.released(ref.kb(), ended.heldMs());
                    if (ended.worker() != null) {
                        assigner.finished(ended.worker());
                    }
                });
                metrics.pushRejections(ref.kb(), outcome.pushRejections());
                changes.released(
                        ref.kb(),
                        completed.ended().isPresent() ? completed.ended().get() : new Kept());
                Job job = completed.job().orElseThrow();
                changes.ended(job);
                yield Future.succeededFuture(job);
            }
            case REPEATED -> Future.succeededFuture(completed.job().orElseThrow());
            case LOST -> Future.failedFuture(lost(outcome.leaseId()));
            case FINISHED ->
                Future.failedFuture(new ConflictException("JOB_FINISHED", "job " + ref.id() + " finished"));
            case UNKNOWN -> Future.failedFuture(JobRef.notFound(ref.id()));
        };
    }

    private Future<Job> enqueue(JobRef ref, Submission s) {
        return store(ref, queued(ref, s.user(), s.payload(), clock.instant()), s.submitter(), s.callbackUrl());
    }

    private static Job queued(JobRef ref, String user, JobPayload payload, Instant createdAt) {
        return Job.queued(ref.id(), ref.kb(), user, payload, createdAt);
    }

    /**
     * Stores {@code accepted} as a new queued job of its KB (its id, user, payload and creation time), with its
     * submitting token's name and callback URL ('': none).
     */
    private Future<Job> store(JobRef ref, Job accepted, String submitter, String callbackUrl) {
        Job job = queued(ref, accepted.user(), accepted.payload(), accepted.createdAt());
        return tickets.enqueue(
                        ref.kb(),
                        ref.ticket(),
                        TicketKind.JOB,
                        job.user(),
                        config.leaseTtl().toMillis(),
                        job,
                        submitter,
                        callbackUrl)
                .map(enqueued -> {
                    changes.enqueued(ref.kb(), enqueued);
                    return enqueued.job();
                });
    }

    /**
     * The idempotency key (or, {@code duplicate}, the content within the KB's window) was used before: the first job,
     * if it is the same request; if the first submit died before storing its job, this one stores it under the first
     * id.
     */
    private Future<Accepted> existing(String firstId, Submission s, boolean duplicate) {
        return JobRef.of(firstId)
                .compose(first -> tickets.job(first).compose(stored -> {
                    if (stored.isEmpty()) {
                        return first.kb().equals(s.kb())
                                ? enqueue(first, s).map(job -> new Accepted(job, false))
                                : Future.failedFuture(mismatch());
                    }
                    Job job = stored.get();
                    return job.kb().equals(s.kb()) && job.payload().equals(s.payload())
                            ? Future.succeededFuture(new Accepted(job, duplicate))
                            : Future.failedFuture(mismatch());
                }));
    }

    /** A worker's lease id; one that cannot be a lease id at all is not the current grant either (LEASE_LOST). */
    private static Future<LeaseRef> current(String leaseId) {
        return LeaseRef.of(leaseId).recover(e -> Future.failedFuture(lost(leaseId)));
    }

    private static ConflictException mismatch() {
        return new ConflictException("IDEMPOTENCY_MISMATCH", "the idempotency key was used for a different request");
    }

    private static ConflictException lost(String leaseId) {
        return new ConflictException(ErrorCodes.LEASE_LOST, "lease " + Quoting.quote(leaseId) + " is no longer held");
    }
}
