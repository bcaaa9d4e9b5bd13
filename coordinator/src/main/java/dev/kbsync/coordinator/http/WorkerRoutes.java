package dev.kbsync.coordinator.http;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Assignments;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.api.Workers;
import dev.kbsync.coordinator.auth.Caller;
import dev.kbsync.coordinator.degraded.DegradedMode;
import dev.kbsync.coordinator.health.RedisHealth;
import dev.kbsync.coordinator.service.CoordinatorServices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;

/**
 * The worker protocol: presence, long-poll for a granted job, give back one the worker will not run, take the note
 * jobs behind it (group commit), report results; and the workers view.
 */
final class WorkerRoutes {
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
    Checked<WorkerInputs.PollAsk> poll() {
        return new Checked<>(WorkerInputs::poll, this::handlePoll);
    }

    private void handlePoll(RoutingContext ctx, WorkerInputs.PollAsk ask) {
        String worker = ask.worker();
        Duration wait = ask.waitFor();
        Optional<WorkerPresence> presence = ask.presence();
        long arrived = ask.arrived();
        Set<JobKind> kinds = presence.map(WorkerPresence::kinds).orElse(WorkerPresence.EVERY_KIND);
        // a poll sent as its worker began to stop (its drain may have come first): no job, and its other polls end
        boolean draining = presence.map(WorkerPresence::draining).orElse(false);
        if (local().isPresent()) { // presence lives in Redis: not renewed meanwhile
            if (draining) {
                local().get().endPolls(worker);
                respond(ctx, Optional.empty());
                return;
            }
            DegradedMode mode = local().get();
            mode.poll(worker, wait, kinds)
                    .onSuccess(found -> {
                        if (found.isPresent()
                                && (ctx.response().ended() || ctx.response().closed())) {
                            // the worker left (or the poll was answered meanwhile): as for a Redis grant below, the
                            // journal job is handed out again at once, not after the maximum hold
                            mode.giveBack(found.get());
                            return;
                        }
                        respond(ctx, found);
                    })
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
                        // answered 503 while Redis hung (or the worker left): the job is offered again at the sweep's
                        // next tick, not after its lease TTL, and the attempt it never got is not counted
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
    Checked<WorkerInputs.Renewal> renew() {
        return new Checked<>(WorkerInputs::renewal, this::handleRenew);
    }

    private void handleRenew(RoutingContext ctx, WorkerInputs.Renewal renewal) {
        String worker = renewal.worker();
        WorkerPresence presence = renewal.presence();
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

    /** Up to {@code max} more note jobs behind a group commit's head. */
    Checked<WorkerInputs.ExtendAsk> extend() {
        return new Checked<>(WorkerInputs::extend, this::handleExtend);
    }

    private void handleExtend(RoutingContext ctx, WorkerInputs.ExtendAsk ask) {
        String leaseId = ask.leaseId();
        int max = ask.max();
        if (degraded.flatMap(d -> d.localLease(leaseId)).isPresent()) { // group commit from the journal
            degraded.get()
                    .extend(leaseId, max)
                    .onSuccess(found -> Responses.ok(ctx, new Assignments(found).toJson()))
                    .onFailure(ctx::fail);
            return;
        }
        if (local().isPresent()) {
            throw RedisHealth.unavailable();
        }
        // answered 503 while Redis was slow (or the worker left) once the step ran: the notes it took are given back
        // at once, not left running unseen until the grant lapses with their attempts counted
        services.jobs()
                .extend(
                        leaseId,
                        max,
                        () -> ctx.response().ended() || ctx.response().closed())
                .onSuccess(found -> {
                    if (!ctx.response().ended() && !ctx.response().closed()) {
                        Responses.ok(ctx, new Assignments(found).toJson());
                    }
                })
                .onFailure(ctx::fail);
    }

    /** A job's outcome under its lease. */
    Checked<WorkerInputs.Report> result() {
        return new Checked<>(WorkerInputs::report, this::handleResult);
    }

    private void handleResult(RoutingContext ctx, WorkerInputs.Report report) {
        String jobId = report.jobId();
        JobOutcome outcome = report.outcome();
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
}
