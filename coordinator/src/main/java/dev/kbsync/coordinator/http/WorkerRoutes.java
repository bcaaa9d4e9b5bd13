package dev.kbsync.coordinator.http;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Assignments;
import dev.kbsync.api.FileChange;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.Quoting;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.api.Workers;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.CoordinatorServices;
import dev.kbsync.coordinator.service.JobService;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The worker protocol: presence, long-poll for a granted job, give back one the worker will not run, take the note
 * jobs behind it (group commit), report results; and the workers view.
 */
final class WorkerRoutes {
    static final long DEFAULT_WAIT_MS = 20_000;
    static final long DEFAULT_BATCH = 16;

    private final CoordinatorServices services;

    private final Optional<DegradedMode> degraded;
    private final RedisHealth health;

    WorkerRoutes(CoordinatorServices services, Optional<DegradedMode> degraded, RedisHealth health) {
        this.services = services;
        this.degraded = degraded;
        this.health = health;
    }

    /**
     * Whether a presence report reaches its handler without Redis: degraded mode serves while Redis is unreachable,
     * and a drain still ends the worker's polls waiting on the journal (the report itself is refused 503).
     */
    boolean presenceWithoutRedis() {
        return !health.up() && local().isPresent();
    }

    /** Degraded mode serves workers from the journal (Redis unreachable, or its fences not raised yet). */
    private Optional<DegradedMode> local() {
        return degraded.filter(DegradedMode::serving);
    }

    /**
     * A long poll; a {@code presence} in the body renews the worker's presence first (no separate request) and says
     * which kinds of job the worker runs (every kind without one).
     */
    void handlePoll(RoutingContext ctx) {
        long arrived = System.nanoTime(); // a drain told after this ends the poll, even during its renewal
        String worker = workerId(ctx);
        Fields body = Bodies.object(ctx, "waitMs", "presence");
        Duration wait = Inputs.waitMs(body, DEFAULT_WAIT_MS);
        Optional<WorkerPresence> presence =
                body.optObject("presence", PresenceInput.FIELDS).map(PresenceInput::read);
        Set<JobKind> kinds = presence.map(WorkerPresence::kinds).orElse(WorkerPresence.EVERY_KIND);
        // a poll sent as its worker began to stop (its drain may have come first): no job, and its other polls end
        boolean draining = presence.map(WorkerPresence::draining).orElse(false);
        if (local().isPresent()) { // presence lives in Redis: not renewed meanwhile
            if (draining) {
                local().get().endPolls(worker);
                respond(ctx, Optional.empty());
                return;
            }
            local().get()
                    .poll(worker, wait, kinds)
                    .onSuccess(found -> respond(ctx, found))
                    .onFailure(ctx::fail);
            return;
        }
        (presence.isPresent()
                        ? services.workers().renew(worker, presence.get()).<Void>mapEmpty()
                        : Future.<Void>succeededFuture())
                .compose(v -> draining
                        ? services.jobs().endPolls(worker).map(Optional.<Assignment>empty())
                        : services.jobs().poll(worker, wait, kinds, arrived))
                .onSuccess(found -> {
                    if (found.isPresent()
                            && (ctx.response().ended() || ctx.response().closed())) {
                        // answered 503 while Redis hung (or the worker left): the job is offered again at once,
                        // not after its lease TTL, and the attempt it never got is not counted
                        services.jobs().giveBack(worker, found.get());
                        return;
                    }
                    respond(ctx, found);
                })
                .onFailure(ctx::fail);
    }

    /**
     * {@code POST /v1/workers/{id}/give-back}: the worker gives back a job grant its poll claimed and it will not run;
     * the lease id is read and checked before the Redis gate (a bad one is 400 even while Redis is down).
     */
    Checked<String> giveBack() {
        return new Checked<>(
                ctx -> Inputs.id(
                        "INVALID_LEASE_ID",
                        "leaseId",
                        Bodies.object(ctx, "leaseId").string("leaseId")),
                this::handleGiveBack);
    }

    /**
     * Answers {@code {"givenBack": true}} when the claim was taken back (the job is offered again at once, its attempt
     * returned), {@code false} when nothing was done: the grant ended or changed hands, or it is a local lease of
     * degraded mode (it lapses after its TTL, as before).
     */
    private void handleGiveBack(RoutingContext ctx, String leaseId) {
        String worker = workerId(ctx);
        if (degraded.flatMap(d -> d.localLease(leaseId)).isPresent()) {
            Responses.ok(ctx, givenBack(false));
            return;
        }
        if (local().isPresent()) {
            ctx.fail(RedisHealth.unavailable());
            return;
        }
        services.jobs()
                .giveBack(worker, leaseId)
                .onSuccess(taken -> Responses.ok(ctx, givenBack(taken)))
                .onFailure(ctx::fail);
    }

    private static JsonObject givenBack(boolean taken) {
        return new JsonObject().put("givenBack", taken);
    }

    /** {@code PUT /v1/workers/{id}}: the worker's presence report, renewed; answers the stored record. */
    void handleRenew(RoutingContext ctx) {
        String worker = workerId(ctx);
        WorkerPresence presence = PresenceInput.read(Bodies.object(ctx, PresenceInput.FIELDS));
        if (presenceWithoutRedis()) { // presence lives in Redis: 503, but a drain still ends the polls on the journal
            if (presence.draining()) {
                local().get().endPolls(worker);
            }
            ctx.fail(RedisHealth.unavailable());
            return;
        }
        if (presence.draining()) { // it stops: its polls need not run out their wait (none wait before Redis did)
            services.jobs().endPolls(worker);
        }
        services.workers()
                .renew(worker, presence)
                .onSuccess(w -> Responses.ok(ctx, w.toJson()))
                .onFailure(ctx::fail);
    }

    /** Every worker; a KB-scoped caller sees the running jobs and checkouts of its own KBs only. */
    void handleList(RoutingContext ctx) {
        Caller caller = Caller.of(ctx);
        services.workers()
                .list()
                .map(all -> caller.kbScoped()
                        ? all.stream()
                                .map(w -> w.onlyKbs(kb -> caller.mayUse(kb.value())))
                                .toList()
                        : all)
                .onSuccess(all -> Responses.ok(ctx, new Workers(all).toJson()))
                .onFailure(ctx::fail);
    }

    /** The path's worker id ({@code /v1/workers/:workerId...}), or 400 INVALID_WORKER. */
    static String workerId(RoutingContext ctx) {
        return Inputs.name("INVALID_WORKER", "worker id", ctx.pathParam("workerId"));
    }

    void handleExtend(RoutingContext ctx) {
        String leaseId = LeaseRoutes.leaseId(ctx);
        long max = Bodies.object(ctx, "max").optLong("max").orElse(DEFAULT_BATCH);
        if (max < 0 || max > JobService.MAX_BATCH) {
            throw new InvalidInputException(
                    "INVALID_FIELD", "field \"max\" must be between 0 and " + JobService.MAX_BATCH);
        }
        if (degraded.flatMap(d -> d.localLease(leaseId)).isPresent()) { // group commit from the journal
            degraded.get()
                    .extend(leaseId, (int) max)
                    .onSuccess(found -> Responses.ok(ctx, new Assignments(found).toJson()))
                    .onFailure(ctx::fail);
            return;
        }
        if (local().isPresent()) {
            throw RedisHealth.unavailable();
        }
        services.jobs()
                .extend(leaseId, (int) max)
                .onSuccess(found -> Responses.ok(ctx, new Assignments(found).toJson()))
                .onFailure(ctx::fail);
    }

    void handleResult(RoutingContext ctx) {
        String jobId = JobRoutes.jobId(ctx);
        Fields body = Bodies.object(
                ctx, "leaseId", "state", "commit", "commitUrl", "files", "result", "error", "pushRejections");
        String leaseId = Inputs.id("INVALID_LEASE_ID", "leaseId", body.string("leaseId"));
        long pushRejections = body.optLong("pushRejections").orElse(0L);
        if (pushRejections < 0) { // checked before the cast: a large negative one would wrap to 0 or a positive int
            throw new InvalidInputException("INVALID_FIELD", "field \"pushRejections\" must be >= 0");
        }
        int rejections = (int) Math.min(Integer.MAX_VALUE, pushRejections);
        JobOutcome outcome = switch (body.string("state")) {
            case "done" ->
                new JobOutcome.Done(
                        leaseId,
                        body.optString("commit")
                                .map(commit -> Inputs.commit("commit", commit))
                                .orElse(null),
                        body.optString("commitUrl")
                                .map(url -> Inputs.link("commitUrl", url))
                                .orElse(null),
                        files(body),
                        rejections,
                        body.optString("result").map(WorkerRoutes::result).orElse(null));
            case "failed" -> {
                if (body.optString("result").isPresent()) {
                    throw new InvalidInputException("INVALID_FIELD", "field \"result\" is for a done job only");
                }
                yield new JobOutcome.Failed(leaseId, error(body), rejections);
            }
            default ->
                throw new InvalidInputException(
                        "INVALID_STATE",
                        "state must be \"done\" or \"failed\", got " + Quoting.quote(body.string("state")));
        };
        (degraded.isPresent() ? degraded.get().complete(jobId, outcome) : Future.succeededFuture(Optional.<Job>empty()))
                .compose(recorded -> {
                    if (recorded.isPresent()) { // a journal job's outcome under its local lease
                        return Future.succeededFuture(recorded.get().toJson().put("mode", "degraded"));
                    }
                    return local().isPresent()
                            ? Future.<JsonObject>failedFuture(RedisHealth.unavailable())
                            : services.jobs().complete(jobId, outcome).map(Job::toJson);
                })
                .onSuccess(job -> Responses.ok(ctx, job))
                .onFailure(ctx::fail);
    }

    /** An agent's answer: at most {@link JobOutcome#MAX_RESULT_CHARS} characters. */
    private static String result(String value) {
        if (value.length() > JobOutcome.MAX_RESULT_CHARS) {
            throw new InvalidInputException(
                    "RESULT_TOO_LONG",
                    "field \"result\" must be at most " + JobOutcome.MAX_RESULT_CHARS + " characters, got "
                            + value.length());
        }
        return value;
    }

    private static void respond(RoutingContext ctx, Optional<Assignment> found) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        if (found.isPresent()) {
            Responses.ok(ctx, found.get().toJson());
        } else {
            ctx.response().setStatusCode(204).end();
        }
    }

    private static List<FileChange> files(Fields body) {
        JsonArray array = body.optArray("files").orElse(new JsonArray());
        List<FileChange> files = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            Fields file = body.element(array, "files", i, "path", "change", "url");
            String urlField = "files[" + i + "].url";
            files.add(new FileChange(
                    Inputs.path(file.string("path")),
                    change(file.string("change")),
                    file.optString("url").map(url -> Inputs.link(urlField, url)).orElse(null)));
        }
        return files;
    }

    private static FileChange.Change change(String value) {
        try {
            return FileChange.Change.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidInputException(
                    "INVALID_FIELD", "change must be created, edited or deleted, got " + Quoting.quote(value));
        }
    }

    private static JobError error(Fields body) {
        Fields error = body.optObject("error", "code", "message")
                .orElseThrow(
                        () -> new InvalidInputException("MISSING_FIELD", "field \"error\" is required when failed"));
        return new JobError(Inputs.errorCode("error.code", error.string("code")), error.string("message"));
    }
}
