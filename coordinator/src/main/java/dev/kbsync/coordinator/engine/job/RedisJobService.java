package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.store.Idempotency;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Completed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Kept;
import dev.kbsync.coordinator.engine.ticket.TicketKind;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
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
    }

    @Override
    public Future<Job> submit(KbId kb, String user, JobPayload payload, Optional<String> idempotencyKey) {
        JobRef ref = JobRef.create(kb);
        return kbs.require(kb)
                .compose(v -> idempotencyKey.isEmpty()
                        ? Future.succeededFuture(ref.id())
                        : idempotency.claim(user, idempotencyKey.get(), ref.id()))
                .compose(id -> id.equals(ref.id()) ? enqueue(ref, user, payload) : existing(id, kb, user, payload));
    }

    @Override
    public Future<Job> restore(Job accepted, Optional<String> idempotencyKey) {
        return JobRef.of(accepted.id())
                .compose(ref -> kbs.require(ref.kb())
                        .compose(v -> tickets.job(ref))
                        .compose(stored -> {
                            if (stored.isPresent()) {
                                return Future.succeededFuture(stored.get());
                            }
                            if (idempotencyKey.isEmpty()) {
                                return store(ref, accepted);
                            }
                            return idempotency
                                    .claim(accepted.user(), idempotencyKey.get(), ref.id())
                                    .compose(id -> id.equals(ref.id())
                                            ? store(ref, accepted)
                                            : existing(id, ref.kb(), accepted.user(), accepted.payload()));
                        }));
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

    private Future<Job> enqueue(JobRef ref, String user, JobPayload payload) {
        return store(ref, queued(ref, user, payload, clock.instant()));
    }

    private static Job queued(JobRef ref, String user, JobPayload payload, java.time.Instant createdAt) {
        return new Job(
                ref.id(),
                ref.kb(),
                user,
                payload,
                JobState.QUEUED,
                0,
                0,
                0,
                null,
                null,
                null,
                null,
                List.of(),
                null,
                0,
                createdAt,
                null,
                null);
    }

    /** Stores {@code accepted} as a new queued job of its KB (its id, user, payload and creation time). */
    private Future<Job> store(JobRef ref, Job accepted) {
        Job job = queued(ref, accepted.user(), accepted.payload(), accepted.createdAt());
        return tickets.enqueue(
                        ref.kb(),
                        ref.ticket(),
                        TicketKind.JOB,
                        job.user(),
                        config.leaseTtl().toMillis(),
                        job)
                .map(enqueued -> {
                    changes.enqueued(ref.kb(), enqueued);
                    return enqueued.job();
                });
    }

    /**
     * The idempotency key was used before: the first job, if it is the same request; if the first submit died before
     * storing its job, this one stores it under the first id.
     */
    private Future<Job> existing(String firstId, KbId kb, String user, JobPayload payload) {
        return JobRef.of(firstId)
                .compose(first -> tickets.job(first).compose(stored -> {
                    if (stored.isEmpty()) {
                        return first.kb().equals(kb) ? enqueue(first, user, payload) : Future.failedFuture(mismatch());
                    }
                    Job job = stored.get();
                    return job.kb().equals(kb) && job.payload().equals(payload)
                            ? Future.succeededFuture(job)
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
