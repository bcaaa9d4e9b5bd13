package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.redis.Ids;
import dev.kbsync.coordinator.engine.store.Idempotency;
import dev.kbsync.coordinator.engine.store.JobStore;
import dev.kbsync.coordinator.engine.store.RecentJobStore;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes;
import dev.kbsync.coordinator.engine.ticket.TicketState;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Durable jobs: persisted, queued as a KB ticket, dispatched once granted, completed under their lease. */
public final class RedisJobService implements JobService {
    private static final Logger LOG = LoggerFactory.getLogger(RedisJobService.class);

    private final EngineConfig config;
    private final Clock clock;
    private final Tickets tickets;
    private final JobStore store;
    private final Idempotency idempotency;
    private final RedisKbRegistry kbs;
    private final Assigner assigner;
    private final Changes changes;
    private final MetricsSink metrics;
    private final RecentJobStore recent;

    public RedisJobService(
            EngineConfig config,
            Clock clock,
            Tickets tickets,
            JobStore store,
            Idempotency idempotency,
            RedisKbRegistry kbs,
            Assigner assigner,
            Changes changes,
            MetricsSink metrics,
            RecentJobStore recent) {
        this.config = config;
        this.clock = clock;
        this.tickets = tickets;
        this.store = store;
        this.idempotency = idempotency;
        this.kbs = kbs;
        this.assigner = assigner;
        this.changes = changes;
        this.metrics = metrics;
        this.recent = recent;
    }

    @Override
    public Future<Job> submit(KbId kb, String user, JobPayload payload, Optional<String> idempotencyKey) {
        Job job = new Job(
                Ids.next(),
                kb,
                user,
                payload,
                JobState.QUEUED,
                0,
                0,
                null,
                null,
                null,
                List.of(),
                null,
                0,
                now(),
                null,
                null);
        return kbs.require(kb)
                .compose(v -> store.create(job))
                .compose(v -> idempotencyKey.isEmpty()
                        ? Future.succeededFuture(job.id())
                        : idempotency.claim(user, idempotencyKey.get(), job.id()))
                .compose(id -> id.equals(job.id()) ? enqueue(job) : existing(job, id));
    }

    @Override
    public Future<Job> get(String jobId) {
        return stored(jobId).compose(s -> withPosition(s.job()));
    }

    @Override
    public Future<Optional<Assignment>> poll(String workerId, Duration wait) {
        return assigner.next(workerId, System.nanoTime() + wait.toNanos());
    }

    @Override
    public Future<List<Assignment>> extend(String leaseId, int max) {
        return LeaseRef.of(leaseId)
                .compose(ref -> ref.forJob()
                        ? tickets.extend(ref, Math.max(0, Math.min(max, MAX_BATCH)))
                                .compose(batch -> batch.isPresent()
                                        ? members(ref, batch.get())
                                        : Future.failedFuture(lost(leaseId)))
                        : Future.failedFuture(lost(leaseId)));
    }

    /** The members' assignments in queue order (one at a time, so the order is kept). */
    private Future<List<Assignment>> members(LeaseRef head, Outcomes.Batch batch) {
        Future<List<Assignment>> all = Future.succeededFuture(new ArrayList<>());
        for (Outcomes.Member m : batch.members()) {
            LeaseRef ref = new LeaseRef(head.kb(), m.ticket(), m.fence());
            all = all.compose(
                    list -> assigner.running(batch.worker(), ref, batch.nowMs(), batch.expiresAtMs(), m.attempts())
                            .map(a -> {
                                a.ifPresent(list::add);
                                return list;
                            }));
        }
        return all;
    }

    @Override
    public Future<Job> complete(String jobId, JobOutcome outcome) {
        return stored(jobId).compose(s -> {
            if (s.job().state().terminal()) {
                return outcome.leaseId().equals(s.leaseId())
                        ? Future.succeededFuture(s.job())
                        : Future.failedFuture(new ConflictException("JOB_FINISHED", "job " + jobId + " finished"));
            }
            LeaseRef ref = LeaseRef.parse(outcome.leaseId());
            if (!ref.ticket().equals(jobId) || !ref.forJob()) {
                return Future.failedFuture(lost(outcome.leaseId()));
            }
            return tickets.ticket(ref.kb(), jobId)
                    .compose(t -> t.isPresent() && t.get().current(ref)
                            ? finish(ref, outcome)
                            : Future.failedFuture(lost(outcome.leaseId())));
        });
    }

    /** Records the outcome first, then ends the grant: a crash in between leaves a finished job that is not rerun. */
    private Future<Job> finish(LeaseRef ref, JobOutcome outcome) {
        return store.finished(ref.ticket(), outcome, now())
                .compose(v -> tickets.release(ref, "released", false))
                .compose(result -> {
                    if (result instanceof Outcomes.Ended ended) {
                        metrics.released(ref.kb(), ended.heldMs());
                    }
                    metrics.pushRejections(ref.kb(), outcome.pushRejections());
                    changes.released(ref.kb(), result);
                    return get(ref.ticket()).onSuccess(changes::ended).compose(this::remembered);
                });
    }

    /** Adds a finished job to its KB's recent jobs; the outcome stands even if that write fails (logged). */
    private Future<Job> remembered(Job job) {
        return recent.add(job)
                .recover(e -> {
                    LOG.warn(
                            "job {} finished but was not added to the recent jobs of {}: {}",
                            job.id(),
                            job.kb(),
                            e.toString());
                    return Future.succeededFuture();
                })
                .map(job);
    }

    private Future<Job> enqueue(Job job) {
        return tickets.enqueue(
                        job.kb(),
                        job.id(),
                        "job",
                        job.user(),
                        job.id(),
                        job.payload().kind().wire(),
                        config.leaseTtl().toMillis(),
                        0)
                .compose(enqueued -> {
                    changes.enqueued(job.kb(), enqueued);
                    return get(job.id());
                });
    }

    /** The idempotency key was used before: drop the new copy, return the first job (queued again if needed). */
    private Future<Job> existing(Job fresh, String firstId) {
        return store.delete(fresh.id()).compose(v -> stored(firstId)).compose(first -> {
            Job job = first.job();
            if (!job.kb().equals(fresh.kb()) || !job.payload().equals(fresh.payload())) {
                return Future.failedFuture(new ConflictException(
                        "IDEMPOTENCY_MISMATCH", "the idempotency key was used for a different request"));
            }
            return job.state() == JobState.QUEUED ? enqueue(job) : withPosition(job);
        });
    }

    private Future<Job> withPosition(Job job) {
        if (job.state().terminal()) {
            return Future.succeededFuture(job);
        }
        return tickets.ticket(job.kb(), job.id()).map(t -> {
            long ahead = job.state() == JobState.RUNNING
                    ? 0
                    : t.map(x -> Math.max(0, x.rank())).orElse(0L);
            long avg = t.map(TicketState::avgHoldMs).orElse(0L);
            return JobStore.at(job, job.state(), ahead, ahead * avg);
        });
    }

    private Future<JobStore.Stored> stored(String jobId) {
        return store.load(jobId)
                .map(s ->
                        s.orElseThrow(() -> new NotFoundException("JOB_NOT_FOUND", "no job " + Quoting.quote(jobId))));
    }

    private Instant now() {
        return clock.instant();
    }

    private static ConflictException lost(String leaseId) {
        return new ConflictException("LEASE_LOST", "lease " + Quoting.quote(leaseId) + " is no longer held");
    }
}
