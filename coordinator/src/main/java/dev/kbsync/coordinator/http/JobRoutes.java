package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.QueueAddresses;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Job reads, the job list and a job's event stream (the caller's KBs and users only), and the job a request names as
 * its caller may see it: in Redis, or still in degraded mode's journal. Submissions are {@link SubmitRoutes}', cancel
 * and retry {@link CancelRetryRoutes}'.
 */
final class JobRoutes {
    private final CoordinatorServices services;
    private final Duration keepAlive;
    private final Optional<DegradedMode> degraded;

    JobRoutes(CoordinatorServices services, Duration keepAlive, Optional<DegradedMode> degraded) {
        this.services = services;
        this.degraded = degraded;
        this.keepAlive = keepAlive;
    }

    void handleGetJob(RoutingContext ctx) {
        Optional<Job> journaled = visible(journalJob(ctx), Caller.of(ctx));
        if (journaled.isPresent()) {
            Responses.ok(ctx, journaled.get().toJson().put("mode", "degraded"));
            return;
        }
        visibleJob(ctx, jobId(ctx))
                .onSuccess(job -> Responses.ok(ctx, job.toJson()))
                .onFailure(ctx::fail);
    }

    /**
     * {@code GET /v1/jobs}, its query ({@link JobListInput}) read before the Redis gate: the job list, newest first: one
     * KB (403 SCOPE_KB outside the caller's) or every KB the caller may use; a users-scoped caller sees its users' jobs
     * only.
     */
    Checked<JobListInput> list() {
        return Checked.query(ctx -> JobListInput.parse(ctx.queryParams()), this::handleList);
    }

    private void handleList(RoutingContext ctx, JobListInput input) {
        Caller caller = Caller.of(ctx);
        input.kb().ifPresent(kb -> caller.checkKb(kb.value()));
        input.user().ifPresent(user -> caller.checkUser(user, "list the jobs of"));
        Future<List<KbId>> kbs = input.kb().isPresent()
                ? services.kbs()
                        .get(input.kb().get())
                        .map(found -> List.of(found.orElseThrow(() -> new NotFoundException(
                                        "KB_NOT_FOUND",
                                        "no KB "
                                                + Quoting.quote(input.kb().get().value())))
                                .id()))
                : services.kbs()
                        .list()
                        .map(all -> all.stream()
                                .map(KbConfig::id)
                                .filter(id -> caller.mayUse(id.value()))
                                .toList());
        Optional<String> user = input.user().or(caller::fixedUser);
        kbs.compose(ids -> services.jobs()
                        .list(new JobListQuery(
                                ids,
                                user,
                                input.state(),
                                input.limit(),
                                input.cursor(),
                                caller.users().patterns())))
                .onSuccess(page -> Responses.ok(ctx, page.toJson()))
                .onFailure(ctx::fail);
    }

    void handleJobEvents(RoutingContext ctx) {
        String id = jobId(ctx);
        refuseJournalJob(ctx);
        visibleJob(ctx, id) // the job's KB first: the stream watches it, then reads the job's first state
                .onFailure(ctx::fail)
                .onSuccess(found -> Sse.relay(
                        ctx,
                        keepAlive,
                        services.queues().watchers().kb(found.kb()),
                        QueueAddresses.job(found.id()), // a journal job's id restored onto another job: that job's
                        () -> services.jobs().get(found.id()).map(job -> List.of(new JobEvent.State(job))),
                        event -> true));
    }

    /** The job, or JOB_NOT_FOUND when it is outside the caller's KBs or users (another tenant's jobs do not exist). */
    private Future<Job> visibleJob(RoutingContext ctx, String id) {
        return visibleJob(services, Caller.of(ctx), id);
    }

    /** The job, or JOB_NOT_FOUND when it is outside {@code caller}'s KBs or users. */
    static Future<Job> visibleJob(CoordinatorServices services, Caller caller, String id) {
        return services.jobs().get(id).map(job -> {
            if (!caller.sees(job.kb().value(), job.user())) {
                throw new NotFoundException("JOB_NOT_FOUND", "no job " + Quoting.quote(id));
            }
            return job;
        });
    }

    /**
     * Whether a job read is answered from degraded mode's journal: the job is there, not yet in Redis (while Redis is
     * unreachable and while the journal drains). A job id that is not valid is left to the route's own check.
     */
    boolean readsJournal(RoutingContext ctx) {
        return journalJob(ctx).isPresent();
    }

    /**
     * A job still in degraded mode's journal has no stream and cannot be cancelled until it is in Redis: 503
     * JOB_RESTORING, retry (the caller knows its id from a 202, and its read answers from the journal meanwhile).
     */
    void refuseJournalJob(RoutingContext ctx) {
        visible(journalJob(ctx), Caller.of(ctx)).ifPresent(job -> {
            throw restoring(job);
        });
    }

    /** A journal's job as {@code caller} may see it: JOB_NOT_FOUND when it is outside its KBs or users. */
    static Optional<Job> visible(Optional<Job> journaled, Caller caller) {
        journaled.ifPresent(job -> {
            if (!caller.sees(job.kb().value(), job.user())) {
                throw new NotFoundException("JOB_NOT_FOUND", "no job " + Quoting.quote(job.id()));
            }
        });
        return journaled;
    }

    /** 503 JOB_RESTORING for a job still in degraded mode's journal (see {@link #refuseJournalJob}). */
    static UnavailableException restoring(Job job) {
        return new UnavailableException(
                ErrorCodes.JOB_RESTORING,
                "job " + job.id() + " was accepted while Redis was unreachable and is on its way into Redis;"
                        + " its event stream and cancel follow once it is there: retry",
                RESTORING_RETRY);
    }

    private static final Duration RESTORING_RETRY = Duration.ofSeconds(1);

    /** The journal's copy of the requested job, looked up once per request (at its Redis gate). */
    private Optional<Job> journalJob(RoutingContext ctx) {
        if (degraded.isEmpty()) {
            return Optional.empty();
        }
        Optional<Job> found = ctx.get(JOURNAL_JOB);
        if (found == null) {
            try {
                found = degraded.get().job(jobId(ctx));
            } catch (RuntimeException invalid) {
                found = Optional.empty();
            }
            ctx.put(JOURNAL_JOB, found);
        }
        return found;
    }

    private static final String JOURNAL_JOB = "kbsync.journalJob";

    static String jobId(RoutingContext ctx) {
        return Inputs.id("INVALID_JOB_ID", "job id", ctx.pathParam("id"));
    }
}
