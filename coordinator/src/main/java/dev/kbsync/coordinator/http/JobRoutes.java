package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobReceipt;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.auth.Role;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.config.Webhooks;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.metrics.PrometheusMetrics;
import dev.kbsync.coordinator.ratelimit.Limits;
import dev.kbsync.coordinator.ratelimit.Window;
import dev.kbsync.coordinator.service.Accepted;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.QueueAddresses;
import dev.kbsync.coordinator.service.Submission;
import dev.kbsync.coordinator.service.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job submission (in the caller's users, rate-limited per user, per KB and per token), job reads and the job event
 * stream (the caller's KBs and users only).
 */
final class JobRoutes {
    private static final Logger log = LoggerFactory.getLogger(JobRoutes.class);

    private final CoordinatorServices services;
    private final PrometheusMetrics metrics;
    private final CoordinatorConfig.RateLimit limits;
    private final int maxTextChars;
    private final Duration keepAlive;
    private final Optional<DegradedMode> degraded;
    private final Webhooks webhooks;

    JobRoutes(
            CoordinatorServices services,
            PrometheusMetrics metrics,
            CoordinatorConfig config,
            Optional<DegradedMode> degraded) {
        this.services = services;
        this.degraded = degraded;
        this.metrics = metrics;
        this.limits = config.rateLimit();
        CoordinatorConfig.Http http = config.http();
        this.maxTextChars = http.maxTextChars();
        this.keepAlive = http.sseKeepAlive();
        this.webhooks = config.webhooks();
    }

    /**
     * A submission as read and validated from its request, before it needs Redis; {@code retryOf}: the job it submits
     * again.
     */
    record SubmitInput(
            KbId kb,
            String user,
            JobPayload payload,
            String callbackUrl,
            Optional<String> key,
            Optional<String> retryOf) {}

    /** {@code POST /v1/kbs/{kb}/notes}. */
    Checked<SubmitInput> submitNote() {
        return new Checked<>(this::readNote, this::submit);
    }

    /** {@code POST /v1/kbs/{kb}/agent-tasks}. */
    Checked<SubmitInput> submitAgentTask() {
        return new Checked<>(this::readAgentTask, this::submit);
    }

    private SubmitInput readNote(RoutingContext ctx) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        Fields body = Bodies.object(ctx, "user", "text", "title", "path", "callbackUrl");
        String user = user(ctx, body);
        JobPayload note = new JobPayload.Note(
                Inputs.text("text", body.string("text"), maxTextChars),
                body.optString("title").map(Inputs::title).orElse(null),
                body.optString("path").map(Inputs::newPath).orElse(null));
        return new SubmitInput(kb, user, note, callbackUrl(body), idempotencyKey(ctx), Optional.empty());
    }

    private SubmitInput readAgentTask(RoutingContext ctx) {
        KbId kb = KbId.of(ctx.pathParam("kb"));
        Fields body = Bodies.object(ctx, "user", "task", "callbackUrl");
        String user = user(ctx, body);
        JobPayload task = new JobPayload.Agent(Inputs.text("task", body.string("task"), maxTextChars));
        return new SubmitInput(kb, user, task, callbackUrl(body), idempotencyKey(ctx), Optional.empty());
    }

    private static Optional<String> idempotencyKey(RoutingContext ctx) {
        return Optional.ofNullable(ctx.request().getHeader("Idempotency-Key"))
                .map(k -> Inputs.id("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key", k));
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
     * The job list, newest first: one KB (403 SCOPE_KB outside the caller's) or every KB the caller may use; a
     * users-scoped caller sees its users' jobs only.
     */
    void handleList(RoutingContext ctx) {
        JobListInput input = JobListInput.parse(ctx.queryParams());
        Caller caller = Caller.of(ctx);
        input.kb().ifPresent(kb -> caller.checkKb(kb.value()));
        input.user().ifPresent(caller::checkUser);
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
                                job -> caller.sees(job.kb().value(), job.user()))))
                .onSuccess(page -> Responses.ok(ctx, page.toJson()))
                .onFailure(ctx::fail);
    }

    /** Cancels a job no worker took yet: its submitting token's or an admin's call (the engine checks the token). */
    void handleCancel(RoutingContext ctx) {
        String id = jobId(ctx);
        refuseJournalJob(ctx);
        Caller caller = Caller.of(ctx);
        Optional<String> submitter = caller.role() == Role.ADMIN ? Optional.empty() : Optional.of(caller.name());
        visibleJob(ctx, id)
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
     * repeated (or two at once) answers one new job. The new job names the old one ({@code retryOf}).
     */
    void handleRetry(RoutingContext ctx) {
        String id = jobId(ctx);
        refuseJournalJob(ctx);
        Caller caller = Caller.of(ctx);
        Optional<String> submitter = caller.role() == Role.ADMIN ? Optional.empty() : Optional.of(caller.name());
        services.jobs()
                .retryable(id, submitter, job -> caller.sees(job.kb().value(), job.user()))
                .onSuccess(old -> submit(
                        ctx,
                        new SubmitInput(
                                old.kb(),
                                old.user(),
                                old.payload(),
                                "",
                                Optional.of(RETRY_KEY + old.id()),
                                Optional.of(old.id()))))
                .onFailure(ctx::fail);
    }

    /**
     * A retry's idempotency key: the old job's id after a prefix no Idempotency-Key header can hold ('/'), so a bot's own
     * key never names a retry's job.
     */
    private static final String RETRY_KEY = "retry/";

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

    /** The body's callbackUrl, validated ('': none). */
    private String callbackUrl(Fields body) {
        return body.optString("callbackUrl")
                .map(url -> Inputs.callbackUrl(url, webhooks))
                .orElse("");
    }

    /** The body's user, or the caller's one fixed user when the body names none; 403 SCOPE_USER outside its users. */
    private static String user(RoutingContext ctx, Fields body) {
        Caller caller = Caller.of(ctx);
        String user = Inputs.user(body.optString("user").or(caller::fixedUser).orElseGet(() -> body.string("user")));
        caller.checkUser(user);
        return user;
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

    /** The windows a submission counts in: its user's, its KB's (if limited), its token's quota (if any). */
    private List<Window> windows(KbId kb, String user, Caller caller) {
        List<Window> windows = new ArrayList<>(List.of(Window.user(user, limits.submissions())));
        if (limits.kbSubmissions() > 0) {
            windows.add(Window.kb(kb.value(), limits.kbSubmissions()));
        }
        if (caller.quota() > 0) {
            windows.add(Window.token(caller.name(), caller.quota()));
        }
        return windows;
    }

    /**
     * Whether a submission goes to degraded mode's journal: while Redis is unreachable, and for a KB whose journal jobs
     * are still on their way into Redis. A KB name that is not valid is left to the route's own check.
     */
    boolean journals(RoutingContext ctx) {
        if (degraded.isEmpty()) {
            return false;
        }
        Boolean decided = ctx.get(JOURNALS); // decided once per request: at its Redis gate
        if (decided == null) {
            try {
                decided = degraded.get().accepting(KbId.of(ctx.pathParam("kb")));
            } catch (RuntimeException invalid) {
                decided = degraded.get().accepting();
            }
            ctx.put(JOURNALS, decided);
        }
        return decided;
    }

    private static final String JOURNALS = "kbsync.journals";

    /**
     * {@link #journals(RoutingContext)} as its Redis gate decided it, or for a request whose KB is not in its path (a
     * retry's) decided now for {@code kb}.
     */
    private boolean journals(RoutingContext ctx, KbId kb) {
        Boolean decided = ctx.get(JOURNALS);
        if (decided == null) {
            decided = degraded.isPresent() && degraded.get().accepting(kb);
            ctx.put(JOURNALS, decided);
        }
        return decided;
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
    private void refuseJournalJob(RoutingContext ctx) {
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

    private void submit(RoutingContext ctx, SubmitInput input) {
        KbId kb = input.kb();
        String user = input.user();
        JobPayload payload = input.payload();
        String callbackUrl = input.callbackUrl();
        Optional<String> key = input.key();
        if (journals(ctx, kb)) {
            if (!callbackUrl.isEmpty()) { // the journal keeps no callback: its delivery needs Redis
                ctx.fail(new UnavailableException(
                        ErrorCodes.REDIS_UNAVAILABLE,
                        "Redis is unreachable: jobs with a callbackUrl are not accepted until it is back; retry later",
                        RedisHealth.RETRY_AFTER));
                return;
            }
            journaled(ctx, degraded.get(), input);
            return;
        }
        Caller caller = Caller.of(ctx);
        (payload instanceof JobPayload.Agent ? noAgentWorker() : Future.succeededFuture(false))
                .compose(noRunner -> services.jobs()
                        .submit(new Submission(
                                kb,
                                user,
                                payload,
                                key,
                                caller.name(),
                                callbackUrl,
                                new Limits(windows(kb, user, caller), limits.window()),
                                noRunner,
                                input.retryOf())))
                .onSuccess(accepted -> {
                    accepted(ctx, accepted);
                    degraded.filter(d -> !d.knows(kb)).ifPresent(d -> learn(d, kb));
                })
                .onFailure(ctx::fail);
    }

    /**
     * Whether no worker that runs agents may come for an agent task ({@link WorkerRegistry#noAgentWorker}): such a task
     * is then refused (409 NO_AGENT_WORKER) rather than queued to hold its KB, and every job behind it, until one joins;
     * a retry of one already stored is still answered (see {@link Submission#noRunner()}). Read fresh: a worker that
     * just joined counts.
     */
    private Future<Boolean> noAgentWorker() {
        return services.workers().noAgentWorker();
    }

    /**
     * The degraded mode's journal takes jobs only for KBs it knows: it learns a KB's configuration after the first
     * answer for it, off the submit's path.
     */
    private void learn(DegradedMode mode, KbId kb) {
        services.kbs().get(kb).onSuccess(found -> found.ifPresent(mode::known));
    }

    /**
     * Degraded mode: the job goes to this coordinator's journal (no rate limit: its windows are in Redis); a KB this
     * coordinator has not seen cannot be told from a typo without Redis: 503.
     */
    private void journaled(RoutingContext ctx, DegradedMode mode, SubmitInput input) {
        KbId kb = input.kb();
        if (!mode.knows(kb)) {
            ctx.fail(new UnavailableException(
                    ErrorCodes.REDIS_UNAVAILABLE,
                    "Redis is unreachable and KB " + Quoting.quote(kb.value())
                            + " is not known to this coordinator; retry later",
                    RedisHealth.RETRY_AFTER));
            return;
        }
        mode.accept(kb, input.user(), input.payload(), input.key(), input.retryOf())
                .onSuccess(job -> {
                    metrics.jobSubmitted(job.kb(), job.kind());
                    LogTags.around(
                            Map.of("kb", job.kb().value(), "job", job.id()),
                            () -> log.info(
                                    "accepted {} from user={} token={} in degraded mode (journal), local ahead={}",
                                    job.kind().wire(),
                                    job.user(),
                                    Caller.of(ctx).name(),
                                    job.ahead()));
                    ctx.response().putHeader("Location", "/v1/jobs/" + job.id());
                    Responses.json(
                            ctx, 202, answer(ctx, job).put("mode", "degraded").put("positions", "local"));
                })
                .onFailure(ctx::fail);
    }

    /** 202 with the new job (or the first one for a repeated Idempotency-Key); 200 with the first of duplicates. */
    private void accepted(RoutingContext ctx, Accepted accepted) {
        Job job = accepted.job();
        int remaining = accepted.remaining();
        if (!accepted.duplicate()) {
            metrics.jobSubmitted(job.kb(), job.kind());
        }
        LogTags.around(
                Map.of("kb", job.kb().value(), "job", job.id()),
                () -> log.info(
                        "{} {} from user={} token={} ahead={} rateRemaining={}",
                        accepted.duplicate() ? "duplicate of" : "accepted",
                        job.kind().wire(),
                        job.user(),
                        Caller.of(ctx).name(),
                        job.ahead(),
                        remaining));
        if (ctx.response().headWritten()) { // answered 503 while Redis was slow: a retry finds this job as a duplicate
            log.info(
                    "job {} was stored after its request was answered 503; a retry with the same Idempotency-Key gets it back",
                    job.id());
            return;
        }
        ctx.response()
                .putHeader("Location", "/v1/jobs/" + job.id())
                .putHeader("X-RateLimit-Remaining", Integer.toString(remaining));
        Responses.json(ctx, accepted.duplicate() ? 200 : 202, answer(ctx, job));
    }

    /** The accepted job, or its receipt (id and place) where the request prefers {@code return=minimal}. */
    private static JsonObject answer(RoutingContext ctx, Job job) {
        ctx.response().putHeader("Vary", ReturnPreference.HEADER); // either answer depends on the preference
        if (!ReturnPreference.minimal(ctx.request())) {
            return job.toJson();
        }
        ReturnPreference.applied(ctx.response());
        return JobReceipt.of(job).toJson();
    }

    static String jobId(RoutingContext ctx) {
        return Inputs.id("INVALID_JOB_ID", "job id", ctx.pathParam("id"));
    }
}
