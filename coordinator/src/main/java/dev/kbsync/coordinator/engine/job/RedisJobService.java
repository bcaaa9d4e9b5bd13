package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancellation;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Completed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Kept;
import dev.kbsync.coordinator.engine.ticket.OwnedJob;
import dev.kbsync.coordinator.engine.ticket.SubmitStep;
import dev.kbsync.coordinator.engine.ticket.Submitted;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.ForbiddenException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.metrics.MetricsSink;
import dev.kbsync.coordinator.ratelimit.Limits;
import dev.kbsync.coordinator.ratelimit.RateDecision;
import dev.kbsync.coordinator.ratelimit.SubmissionRateLimiter;
import dev.kbsync.coordinator.ratelimit.UnreachableWindows;
import dev.kbsync.coordinator.ratelimit.Window;
import dev.kbsync.coordinator.service.Accepted;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.JobService;
import dev.kbsync.coordinator.service.Restoration;
import dev.kbsync.coordinator.service.Retried;
import dev.kbsync.coordinator.service.Submission;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.redisson.api.RBucket;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

/**
 * Durable jobs: stored and queued as a KB ticket in one step, dispatched once granted, completed under their lease in
 * one step with the release. A job lives in its KB's hash slot ({@link JobRef}).
 */
public final class RedisJobService implements JobService {
    private final EngineConfig config;
    private final Clock clock;
    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Assigner assigner;
    private final Changes changes;
    private final MetricsSink metrics;
    private final JobLists lists;
    private final Redis redis;
    private final boolean cluster;
    private final UnreachableWindows unreachable;

    public RedisJobService(
            EngineConfig config,
            Clock clock,
            Tickets tickets,
            RedisKbRegistry kbs,
            Assigner assigner,
            Changes changes,
            MetricsSink metrics,
            Redis redis,
            boolean cluster) {
        this.config = config;
        this.redis = redis;
        this.cluster = cluster;
        this.unreachable = new UnreachableWindows(metrics::rateWindowSkipped);
        this.clock = clock;
        this.tickets = tickets;
        this.kbs = kbs;
        this.assigner = assigner;
        this.changes = changes;
        this.metrics = metrics;
        this.lists = new JobLists(tickets, new CursorSeal(redis), JobLists.MAX_SCAN);
    }

    /**
     * One step (see {@link Tickets#submit}); on a Cluster the windows outside the KB's slot are counted before it (and
     * taken back if the step refuses or fails: a refused request takes no rate slot, whatever refused it). A KB registered without its registration in its slot gets one there once.
     */
    @Override
    public Future<Accepted> submit(Submission s) {
        JobRef ref = JobRef.create(s.kb());
        Job job = Job.queued(ref.id(), ref.kb(), s.user(), s.payload(), clock.instant())
                .retrying(s.retryOf().map(Retried::chain).orElse(List.of()));
        String member = SubmissionRateLimiter.member(clock);
        // a retry is searched for down to its earlier job's first token: that job's commit may have landed
        Restoration how = s.retryOf()
                .filter(earlier -> earlier.firstFence() > 0)
                .map(earlier -> Restoration.retrying(earlier.firstFence()))
                .orElse(Restoration.queued());
        if (!cluster || s.limits().windows().isEmpty()) {
            return step(ref, job, s, s.contentHash(), s.limits(), member, how, true, false);
        }
        SubmissionRateLimiter before =
                new SubmissionRateLimiter(redis.client(), clock, s.limits().length(), unreachable);
        List<Window> windows = s.limits().windows();
        return before.check(windows, member, redis.context())
                .compose(least -> step(ref, job, s, s.contentHash(), Limits.NONE, member, how, true, false)
                        .map(accepted -> accepted.least(least))
                        .recover(e -> before.uncount(windows, member, redis.context())
                                .transform(v -> Future.failedFuture(e))));
    }

    /**
     * The submit step for {@code job}, checked against the KB's duplicate window ({@code contentHash}; '': not), counted
     * in {@code limits}; {@code how}: a journal job's degraded past ({@link Restoration#queued()} for a new submit);
     * {@code settle}: whether an unknown KB may be settled ({@link RedisKbRegistry#settle}) first; {@code restoring}: a
     * journal job (no callback URL: its key's first job is the same request whatever callback that one has).
     */
    private Future<Accepted> step(
            JobRef ref,
            Job job,
            Submission s,
            String contentHash,
            Limits limits,
            String member,
            Restoration how,
            boolean settle,
            boolean restoring) {
        SubmitStep step = new SubmitStep(
                ref,
                job,
                config.leaseTtl().toMillis(),
                s.submitter(),
                s.callbackUrl(),
                s.idempotencyKey(),
                contentHash,
                limits,
                clock.millis(),
                member,
                how,
                s.noRunner());
        return tickets.submit(step).compose(reply -> {
            if (reply instanceof Submitted.Created created) {
                if (how.landed().isPresent()) {
                    changes.ended(created.enqueued().job());
                } else {
                    changes.enqueued(ref.kb(), created.enqueued());
                }
                return Future.succeededFuture(new Accepted(created.enqueued().job(), false, created.remaining()));
            }
            if (reply instanceof Submitted.First first) {
                // an idempotency key names the whole request, its callback URL too (see submit.lua); a journal job has
                // none (a degraded coordinator refuses one), so a restore compares its payload alone: its key's first
                // job may be the same request, submitted with a callback and answered late
                if (!first.job().payload().equals(s.payload())
                        || (!first.duplicate()
                                && !restoring
                                && first.callbackUrl()
                                        .filter(cb -> !cb.equals(s.callbackUrl()))
                                        .isPresent())) {
                    return Future.failedFuture(mismatch());
                }
                if (how.landed().isPresent() && first.job().state() == JobState.DONE) {
                    // the earlier job of a landed journal job's key ended with its landing (submit.lua), or before
                    changes.ended(first.job());
                }
                return Future.succeededFuture(new Accepted(first.job(), first.duplicate(), first.remaining()));
            }
            if (reply instanceof Submitted.NoRunner) {
                return Future.failedFuture(noRunner(s));
            }
            if (reply instanceof Submitted.Limited limited) {
                return Future.failedFuture(SubmissionRateLimiter.refusal(
                        limits.windows().get(limited.window()),
                        new RateDecision.Limited(0, limited.retryAfter()),
                        limits.length()));
            }
            return settle
                    ? kbs.settle(ref.kb())
                            .compose(known -> known
                                    ? step(ref, job, s, contentHash, limits, member, how, false, restoring)
                                    : Future.failedFuture(kbNotFound(ref)))
                    : Future.failedFuture(kbNotFound(ref));
        });
    }

    @Override
    public Future<JobPage> list(JobListQuery query) {
        return lists.page(query);
    }

    @Override
    public Future<Job> cancel(String jobId, Optional<String> submitter) {
        String token = submitter.orElse("");
        // an unknown id restored onto another job (KbKeys.restoredAs) cancels that job
        return JobRef.of(jobId)
                .compose(ref -> tickets.cancel(ref, token)
                        .compose(c -> c.report() != Outcomes.CancelReport.UNKNOWN
                                ? cancelled(ref, c)
                                : restoredOnto(ref)
                                        .compose(first -> first.isEmpty()
                                                ? cancelled(ref, c)
                                                : tickets.cancel(first.get(), token)
                                                        .compose(onto -> cancelled(first.get(), onto)))));
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
                        "JOB_RUNNING",
                        "job " + ref.id() + " was taken by a worker (it may be back in the queue after a worker had"
                                + " it, which may have pushed it): it runs to its outcome"));
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

    /**
     * The submit step under the journaled job's own id and creation time, counted in no window, without the duplicate
     * check (the journal accepted it), kept with the token that submitted it to the journal.
     */
    @Override
    public Future<Job> restore(Job accepted, Optional<String> idempotencyKey, String submitter, Restoration how) {
        return JobRef.of(accepted.id())
                .compose(ref -> step(
                                ref,
                                Job.queued(
                                                ref.id(),
                                                ref.kb(),
                                                accepted.user(),
                                                accepted.payload(),
                                                accepted.createdAt())
                                        .retrying(accepted.retryChain()),
                                new Submission(
                                        ref.kb(), accepted.user(), accepted.payload(), idempotencyKey, submitter),
                                "",
                                Limits.NONE,
                                "",
                                how,
                                true,
                                true)
                        .map(Accepted::job)
                        .compose(job -> job.id().equals(accepted.id())
                                ? Future.succeededFuture(job)
                                : JobRef.of(job.id())
                                        .compose(first -> tickets.restoredAs(ref, first))
                                        .map(job)));
    }

    /**
     * The job a journal job's id was restored onto, if it was (see {@link KbKeys#claims()}; or, kept by an earlier
     * version, {@link KbKeys#restoredAs}).
     */
    private Future<Optional<JobRef>> restoredOnto(JobRef ref) {
        KbKeys keys = ref.keys();
        RMap<String, String> claims = redis.client().getMap(keys.claims(), StringCodec.INSTANCE);
        RBucket<String> earlier = redis.client().getBucket(keys.restoredAs(ref.id()), StringCodec.INSTANCE);
        return redis.on(claims.getAsync(KbKeys.restoredField(ref.ticket())))
                .compose(ticket -> ticket != null
                        ? Future.succeededFuture(Optional.of(new JobRef(ref.kb(), ticket)))
                        : redis.on(earlier.getAsync())
                                .compose(first -> first == null
                                        ? Future.succeededFuture(Optional.<JobRef>empty())
                                        : JobRef.of(first).map(Optional::of)));
    }

    @Override
    public Future<Void> raiseFence(KbId kb, long atLeast) {
        return kbs.require(kb).compose(v -> tickets.raiseFence(kb, atLeast)).mapEmpty();
    }

    @Override
    public Future<Job> get(String jobId) {
        return owned(jobId).map(OwnedJob::job);
    }

    @Override
    public Future<Job> retryable(String jobId, Optional<String> submitter, Predicate<Job> visible) {
        return owned(jobId).map(owned -> {
            Job job = owned.job();
            if (!visible.test(job)) {
                throw JobRef.notFound(jobId);
            }
            if (submitter.isPresent()
                    && !owned.submitter().isEmpty()
                    && !owned.submitter().equals(submitter.get())) {
                throw new ForbiddenException(
                        "NOT_SUBMITTER",
                        "only the token that submitted job " + job.id() + ", or an admin, may retry it");
            }
            if (job.state() != JobState.FAILED && job.state() != JobState.CANCELLED) {
                throw new ConflictException(
                        ErrorCodes.JOB_NOT_RETRYABLE,
                        "job " + job.id() + " is " + job.state().wire()
                                + ": only a failed or cancelled job can be retried");
            }
            return job;
        });
    }

    /** The job and its submitter; an unknown id restored onto another job answers that job (JOB_NOT_FOUND: none). */
    private Future<OwnedJob> owned(String jobId) {
        return JobRef.of(jobId)
                .compose(ref -> tickets.owned(ref)
                        .compose(job -> job.isPresent()
                                ? Future.succeededFuture(job)
                                : restoredOnto(ref)
                                        .compose(first -> first.isPresent()
                                                ? tickets.owned(first.get())
                                                : Future.succeededFuture(Optional.<OwnedJob>empty()))))
                .map(job -> job.orElseThrow(() -> JobRef.notFound(jobId)));
    }

    @Override
    public Future<Optional<Assignment>> poll(String workerId, Duration wait, Set<JobKind> kinds, long arrivedNanos) {
        return assigner.next(workerId, kinds, arrivedNanos, System.nanoTime() + wait.toNanos());
    }

    @Override
    public Future<Void> endPolls(String workerId) {
        assigner.endPolls(workerId);
        return Future.succeededFuture();
    }

    @Override
    public Future<Boolean> giveBack(String workerId, Assignment assignment) {
        return assigner.giveBack(
                assignment.job().kb(), workerId, assignment.lease().id());
    }

    @Override
    public Future<Boolean> giveBack(String workerId, String leaseId) {
        return LeaseRef.of(leaseId)
                .transform(parsed -> parsed.succeeded() && parsed.result().forJob()
                        ? assigner.givenBack(parsed.result().kb(), workerId, leaseId)
                        : Future.succeededFuture(false));
    }

    @Override
    public Future<List<Assignment>> extend(String leaseId, int max, BooleanSupplier unanswerable) {
        return current(leaseId)
                .compose(ref -> ref.forJob()
                        ? tickets.extend(ref, Math.max(0, Math.min(max, MAX_BATCH)))
                                .recover(e -> assigner.<Optional<Outcomes.Batch>>takeBackBatch(ref, e))
                                .compose(batch -> batch.isPresent()
                                        ? assigner.assignments(
                                                        ref.kb(), batch.get().members())
                                                .compose(members -> unanswerable.getAsBoolean()
                                                        ? assigner.untakeBatch(ref, batch.get())
                                                                .map(List.<Assignment>of())
                                                        : Future.succeededFuture(members))
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
            case REQUEUED -> {
                completed.ended().ifPresent(ended -> metrics.released(ref.kb(), ended.heldMs()));
                changes.released(
                        ref.kb(),
                        completed.ended().isPresent() ? completed.ended().get() : new Kept());
                yield Future.succeededFuture(completed.job().orElseThrow());
            }
            case REPEATED -> Future.succeededFuture(completed.job().orElseThrow());
            case LOST -> Future.failedFuture(lost(outcome.leaseId()));
            case FINISHED ->
                Future.failedFuture(new ConflictException("JOB_FINISHED", "job " + ref.id() + " finished"));
            case UNKNOWN -> Future.failedFuture(JobRef.notFound(ref.id()));
        };
    }

    private static NotFoundException kbNotFound(JobRef ref) {
        return new NotFoundException(
                "KB_NOT_FOUND", "no KB " + Quoting.quote(ref.kb().value()));
    }

    /** A worker's lease id; one that cannot be a lease id at all is not the current grant either (LEASE_LOST). */
    private static Future<LeaseRef> current(String leaseId) {
        return LeaseRef.of(leaseId).recover(e -> Future.failedFuture(lost(leaseId)));
    }

    /** A new job no known worker runs (only agent tasks can be such: every worker runs notes). */
    private static ConflictException noRunner(Submission s) {
        return new ConflictException(
                ErrorCodes.NO_AGENT_WORKER,
                "no worker of this deployment runs " + s.payload().kind().wire()
                        + " jobs (every known worker runs notes only, without agent.command): start a worker with an"
                        + " agent command");
    }

    private static ConflictException mismatch() {
        return new ConflictException(
                ErrorCodes.IDEMPOTENCY_MISMATCH, "the idempotency key was used for a different request");
    }

    private static ConflictException lost(String leaseId) {
        return new ConflictException(ErrorCodes.LEASE_LOST, "lease " + Quoting.quote(leaseId) + " is no longer held");
    }
}
