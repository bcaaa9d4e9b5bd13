package dev.kbsync.coordinator.http;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.JobReceipt;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.auth.Caller;
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
import dev.kbsync.coordinator.service.Retried;
import dev.kbsync.coordinator.service.Submission;
import dev.kbsync.coordinator.service.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Job submission: notes and agent tasks (in the caller's users, rate-limited per user, per KB and per token), and a
 * retry's new job; into Redis, or into degraded mode's journal while it accepts them.
 */
final class SubmitRoutes {
    /** The job routes' logger: submissions log under it, as they did before the job routes were split. */
    private static final Logger log = LoggerFactory.getLogger(JobRoutes.class);

    private static final String JOURNALS = "kbsync.journals";

    private final CoordinatorServices services;
    private final PrometheusMetrics metrics;
    private final CoordinatorConfig.RateLimit limits;
    private final int maxTextChars;
    private final Optional<DegradedMode> degraded;
    private final Webhooks webhooks;

    SubmitRoutes(
            CoordinatorServices services,
            PrometheusMetrics metrics,
            CoordinatorConfig config,
            Optional<DegradedMode> degraded) {
        this.services = services;
        this.degraded = degraded;
        this.metrics = metrics;
        this.limits = config.rateLimit();
        this.maxTextChars = config.http().maxTextChars();
        this.webhooks = config.webhooks();
    }

    /** {@code POST /v1/kbs/{kb}/notes}. */
    Checked<SubmitInput> submitNote() {
        return new Checked<>(ctx -> SubmitInput.note(ctx, maxTextChars, webhooks), this::submit);
    }

    /** {@code POST /v1/kbs/{kb}/agent-tasks}. */
    Checked<SubmitInput> submitAgentTask() {
        return new Checked<>(ctx -> SubmitInput.agentTask(ctx, maxTextChars, webhooks), this::submit);
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

    /** Submits {@code input}: to Redis, or to degraded mode's journal while it accepts the request's submissions. */
    void submit(RoutingContext ctx, SubmitInput input) {
        KbId kb = input.kb();
        String user = input.user();
        JobPayload payload = input.payload();
        String callbackUrl = input.callbackUrl();
        Optional<String> key = input.key();
        if (journals(ctx, kb)) {
            if (!callbackUrl.isEmpty()) { // the journal keeps no callback: its delivery needs Redis
                ctx.fail(callbackRefused(degraded.get().redisUp()));
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
     * Why a submission with a callbackUrl, which a journal job cannot carry, is not taken while its KB's submissions go
     * to the journal: Redis is unreachable, or it answers but the KB's journal jobs are still on their way into it.
     */
    private static UnavailableException callbackRefused(boolean redisUp) {
        return redisUp
                ? new UnavailableException(
                        ErrorCodes.JOURNAL_DRAINING,
                        "the KB's jobs accepted while Redis was unreachable are still on their way into it: jobs with a"
                                + " callbackUrl are not accepted until they are; retry later",
                        RedisHealth.RETRY_AFTER)
                : new UnavailableException(
                        ErrorCodes.REDIS_UNAVAILABLE,
                        "Redis is unreachable: jobs with a callbackUrl are not accepted until it is back; retry later",
                        RedisHealth.RETRY_AFTER);
    }

    /**
     * Degraded mode: the job goes to this coordinator's journal (no rate limit: its windows are in Redis); a KB it saw
     * removed is refused 404; a KB this coordinator has not seen cannot be told from a typo without Redis: 503.
     */
    private void journaled(RoutingContext ctx, DegradedMode mode, SubmitInput input) {
        KbId kb = input.kb();
        if (mode.removed(kb)) {
            ctx.fail(new NotFoundException("KB_NOT_FOUND", "no KB " + Quoting.quote(kb.value()) + " (it was removed)"));
            return;
        }
        if (!mode.knows(kb)) {
            ctx.fail(new UnavailableException(
                    ErrorCodes.REDIS_UNAVAILABLE,
                    "Redis is unreachable and KB " + Quoting.quote(kb.value())
                            + " is not known to this coordinator; retry later",
                    RedisHealth.RETRY_AFTER));
            return;
        }
        mode.accept(
                        kb,
                        input.user(),
                        input.payload(),
                        input.key(),
                        Caller.of(ctx).name(),
                        input.retryOf().map(Retried::chain).orElse(List.of()))
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
}
