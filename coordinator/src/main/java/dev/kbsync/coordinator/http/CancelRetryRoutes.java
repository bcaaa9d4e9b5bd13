package dev.kbsync.coordinator.http;

import dev.kbsync.api.Job;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.auth.Role;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.Retried;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job's cancel ({@code DELETE /v1/jobs/{id}}) and retry ({@code POST /v1/jobs/{id}/retry}): each the job's
 * submitting token's or an admin's call, on a job the caller may see ({@link JobRoutes}); a retry submits through
 * {@link SubmitRoutes}.
 */
final class CancelRetryRoutes {
    /** The job routes' logger: cancels log under it, as they did before the job routes were split. */
    private static final Logger log = LoggerFactory.getLogger(JobRoutes.class);

    /**
     * A retry's idempotency key: the old job's id after a prefix no Idempotency-Key header can hold ('/'), so a bot's own
     * key never names a retry's job.
     */
    private static final String RETRY_KEY = "retry/";

    private final CoordinatorServices services;
    private final JobRoutes jobs;
    private final SubmitRoutes submissions;

    CancelRetryRoutes(CoordinatorServices services, JobRoutes jobs, SubmitRoutes submissions) {
        this.services = services;
        this.jobs = jobs;
        this.submissions = submissions;
    }

    /** Cancels a job no worker took yet: its submitting token's or an admin's call (the engine checks the token). */
    void handleCancel(RoutingContext ctx) {
        String id = JobRoutes.jobId(ctx);
        jobs.refuseJournalJob(ctx);
        Caller caller = Caller.of(ctx);
        Optional<String> submitter = submitter(caller);
        JobRoutes.visibleJob(services, caller, id)
                .compose(found -> services.jobs().cancel(id, submitter))
                .onSuccess(job -> {
                    LogTags.around(
                            Map.of("kb", job.kb().value(), "job", job.id()),
                            () -> log.info("cancelled by token={}", caller.name()));
                    Responses.ok(ctx, job.toJson());
                })
                .onFailure(ctx::fail);
    }

    /**
     * Submits a failed or cancelled job again, as the caller (the job's submitting token or an admin) through the
     * submit path: its KB, user, kind and payload, under an idempotency key of the old job's id, so that the same retry
     * repeated (or two at once) answers one new job. The new job names the old one ({@code retryOf}) and, in its
     * {@code retryChain}, the jobs the old one retried in turn: its worker looks for the commit of each.
     */
    void handleRetry(RoutingContext ctx) {
        String id = JobRoutes.jobId(ctx);
        jobs.refuseJournalJob(ctx);
        Caller caller = Caller.of(ctx);
        services.jobs()
                .retryable(id, submitter(caller), job -> caller.sees(job.kb().value(), job.user()))
                .onSuccess(old -> submissions.submit(
                        ctx,
                        new SubmitInput(
                                old.kb(),
                                old.user(),
                                old.payload(),
                                "",
                                Optional.of(RETRY_KEY + old.id()),
                                Optional.of(retried(old)))))
                .onFailure(ctx::fail);
    }

    /**
     * What the retry of {@code old} keeps of it: its id, the token of its first grant, and the jobs it retried in turn
     * (see {@link Retried}).
     */
    private static Retried retried(Job old) {
        Long first = old.firstFencingToken();
        return new Retried(old.id(), first == null || first < 0 ? 0 : first, old.retryChain());
    }

    /** The token whose jobs the caller may cancel or retry: its own, or any (empty) for an admin. */
    private static Optional<String> submitter(Caller caller) {
        return caller.role() == Role.ADMIN ? Optional.empty() : Optional.of(caller.name());
    }
}
