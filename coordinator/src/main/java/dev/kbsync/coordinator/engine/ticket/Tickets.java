package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.KbId;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.coordinator.engine.redis.Ids;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.redis.Script;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Batch;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Beat;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancellation;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Claim;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ClaimResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Completed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Enqueued;
import dev.kbsync.coordinator.engine.ticket.Outcomes.GrantResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Head;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Heartbeat;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ListSlice;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotRequester;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ready;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Sweep;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.ratelimit.Window;
import dev.kbsync.coordinator.service.JobCursor;
import dev.kbsync.coordinator.service.KbRemoval;
import dev.kbsync.coordinator.service.Restoration;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The per-KB ticket operations, one atomic script call each (see the {@code .lua} resources), replies decoded by
 * {@link Replies}. Grants take the KB's Redisson {@code RFairLock} under this coordinator's Redisson client id, with the
 * ticket's seq as the thread id, and wake Redisson waiters with the publish command Redisson itself uses.
 */
public final class Tickets {
    private final Redis redis;
    private final DriverSettings settings;
    private final String lockOwner;
    private final String publish;

    public Tickets(Redis redis, DriverSettings settings, String publish) {
        this.redis = redis;
        this.settings = settings;
        this.lockOwner = redis.client().getId();
        this.publish = publish;
    }

    /**
     * Joins the tail (no-op for an existing ticket) and, if the KB is free, takes the grant in the same step; a KB
     * without a driver gets this coordinator. A job's record ({@code job}) is stored in the same step, with the name of
     * the token that submitted it ({@code submitter}, '' when unknown) and its callback URL ({@code callbackUrl}, ''
     * when none). Fails KB_NOT_FOUND when the KB's conf key is missing (removed, or registered before conf keys).
     */
    public Future<Enqueued> enqueue(
            KbId kb,
            String ticket,
            TicketKind kind,
            String holder,
            long ttlMs,
            Job job,
            String submitter,
            String callbackUrl) {
        return run(
                        Script.ENQUEUE,
                        kb,
                        List.of(new KbKeys(kb).conf()),
                        ticket,
                        kind.wire(),
                        holder,
                        ttlMs,
                        job == null ? "" : job.kind().wire(),
                        job == null ? "" : job.toJson().encode(),
                        submitter,
                        callbackUrl)
                .compose(r -> "nokb".equals(r.getString("r"))
                        ? Future.failedFuture(new NotFoundException("KB_NOT_FOUND", "no KB " + kb.value()))
                        : Future.succeededFuture(Replies.enqueued(ticket, r)));
    }

    /**
     * A submit in one step: the KB's registration checked, the rate windows of {@code step} counted (all or none), the
     * idempotency key (or the KB's duplicate check) claimed, then the job stored and queued as {@link #enqueue} does;
     * a job restored from a degraded coordinator's journal is queued searched down to the token of its first degraded
     * grant, or stored done when a degraded run landed it (see submit.lua).
     */
    public Future<Submitted> submit(SubmitStep step) {
        JobRef ref = step.ref();
        Restoration how = step.restoration();
        List<Object> keys = new ArrayList<>(List.of(ref.keys().conf(), step.claimKey()));
        List<Object> args = new ArrayList<>(List.of(
                ref.ticket(),
                TicketKind.JOB.wire(),
                step.job().user(),
                step.ttlMs(),
                step.job().kind().wire(),
                StoredJob.encode(step.job()),
                step.submitter(),
                step.callbackUrl(),
                step.claim(),
                step.claimField(),
                step.clockMs(),
                step.member(),
                how.firstFence() > 0 ? Long.toString(how.firstFence()) : "",
                landed(how),
                (step.noRunner() ? "1" : "") + (how.handedOut() ? "h" : "")));
        for (Window window : step.limits().windows()) {
            keys.add(window.key());
            args.add(window.limit());
            args.add(step.limits().length().toMillis());
        }
        return run(Script.SUBMIT, ref.kb(), keys, args.toArray()).map(r -> Submitted.decode(ref.ticket(), r));
    }

    /** The outcome of a degraded run that landed a restored job, as submit.lua takes it ('': none). */
    private static String landed(Restoration how) {
        return how.landed()
                .map(done -> new JsonObject()
                        .put("lease", done.leaseId())
                        .put("fence", how.landedFence())
                        .put("commit", done.commit() == null ? "" : done.commit())
                        .put("url", done.commitUrl() == null ? "" : done.commitUrl())
                        .put("files", files(done))
                        .put("result", done.result() == null ? "" : done.result())
                        .encode())
                .orElse("");
    }

    /** Raises the KB's fencing counter to at least {@code atLeast} (fence.lua); the counter after. */
    public Future<Long> raiseFence(KbId kb, long atLeast) {
        return run(Script.FENCE, kb, atLeast).map(r -> r.getLong("fence"));
    }

    /**
     * Keeps that the journal job {@code restored} was restored onto the job {@code first} of the same KB: its id answers
     * that job as long as that job's record is kept. Completes with false when that record is gone already.
     */
    public Future<Boolean> restoredAs(JobRef restored, JobRef first) {
        return run(Script.RESTORED_AS, restored.kb(), restored.ticket(), first.ticket())
                .map(r -> r.getBoolean("kept"));
    }

    public Future<Optional<Head>> head(KbId kb) {
        return run(Script.HEAD, kb).map(Replies::head);
    }

    /** The driver's step: grants {@code ticket} if it is the head and nobody holds a grant. */
    public Future<GrantResult> grant(KbId kb, String ticket) {
        return run(Script.GRANT, kb, ticket).map(Replies::grantResult);
    }

    /**
     * Takes the KB's job grant for {@code workerId} if it is live and not taken yet, and not reserved for another
     * worker (worker affinity, for the affinity window after the grant), and its job is of a kind in {@code kinds} (the
     * kinds the worker runs); the job goes running.
     */
    public Future<ClaimResult> claim(KbId kb, String workerId, Set<JobKind> kinds) {
        StringBuilder runs = new StringBuilder(",");
        kinds.forEach(k -> runs.append(k.wire()).append(','));
        return run(Script.CLAIM, kb, workerId, settings.affinityWindowMs(), runs.toString())
                .map(r -> Replies.claimResult(kb, r));
    }

    /**
     * Takes back a claim of {@code workerId} whose poll was answered 503 REPLICATION_TIMEOUT ({@code claimReply}: the
     * claim step's withheld answer), so its worker never learned of it: the grant is unclaimed again and the attempt it
     * counted returned. The job as it waits for a worker again if it was; empty if there was no claim in the answer, or
     * the grant ended or changed hands.
     */
    public Future<Optional<Ready>> unclaim(KbId kb, String workerId, JsonObject claimReply) {
        Optional<Claim> claim = Replies.claim(kb, claimReply);
        if (claim.isEmpty()) {
            return Future.succeededFuture(Optional.empty());
        }
        return unclaim(kb, workerId, claim.get().lease().id());
    }

    /**
     * Takes back {@code workerId}'s claim of the grant {@code leaseId}, which its worker never learned of (its poll was
     * answered otherwise): unclaimed again, its attempt returned. The job as it waits for a worker again (at the place
     * it had); empty if the grant ended or changed hands.
     */
    public Future<Optional<Ready>> unclaim(KbId kb, String workerId, String leaseId) {
        return run(Script.UNCLAIM, kb, leaseId, workerId).map(Replies::unclaimed);
    }

    /** Lifts the reservation of the grant {@code leaseId} for its preferred worker: any worker may claim it now. */
    public Future<Void> unreserve(KbId kb, String leaseId) {
        return run(Script.UNRESERVE, kb, leaseId).mapEmpty();
    }

    /**
     * Extends a live grant or keeps a live raw waiter alive; the ticket as it is after. A grant also keeps {@code
     * doing} (what its holder says it is doing), which a job failing at its last lapsed grant names. A raw lease asked
     * for by a token other than {@code requester} (when not '') is left as it was: {@link Beat#NOT_REQUESTER}.
     */
    public Future<Heartbeat> heartbeat(LeaseRef ref, Optional<String> doing, String requester) {
        Object[] args = doing.isPresent()
                ? new Object[] {ref.ticket(), ref.id(), requester, doing.get()}
                : new Object[] {ref.ticket(), ref.id(), requester};
        return run(Script.HEARTBEAT, ref.kb(), args).map(r -> Replies.heartbeat(ref.ticket(), r));
    }

    /**
     * {@link #heartbeat} for every lease in {@code leases} (all of {@code kb}) at once, without reading them back:
     * answers the lease ids that are no longer kept alive (ended, expired, superseded, unknown).
     */
    public Future<Set<String>> keepAlive(KbId kb, List<LeaseRef> leases) {
        Object[] args = new Object[leases.size() * 2];
        for (int i = 0; i < leases.size(); i++) {
            args[2 * i] = leases.get(i).ticket();
            args[2 * i + 1] = leases.get(i).id();
        }
        return run(Script.KEEP_ALIVE, kb, args).map(r -> Set.copyOf(Records.strings(r, "lost")));
    }

    /**
     * Ends the grant {@code ref} (a job goes back to queued at its place), takes a group-commit member back, or
     * cancels a raw waiter. An ended grant's RFairLock is dropped and the next ticket granted in the same step. A raw
     * lease asked for by a token other than {@code requester} (when not '') is left as it was: {@link NotRequester}.
     */
    public Future<ReleaseResult> release(LeaseRef ref, String requester) {
        return run(Script.RELEASE, ref.kb(), ref.ticket(), ref.id(), requester)
                .map(r -> Replies.released(ref.ticket(), r));
    }

    /** Records a job's outcome under its lease ({@link JobOutcome#leaseId()}) and releases the grant, in one step. */
    public Future<Completed> complete(JobRef job, JobOutcome outcome) {
        String commit = "";
        String commitUrl = "";
        String files = "[]";
        String error = "";
        String result = "";
        if (outcome instanceof JobOutcome.Done done) {
            result = done.result() == null ? "" : done.result();
            commit = done.commit() == null ? "" : done.commit();
            commitUrl = done.commitUrl() == null ? "" : done.commitUrl();
            files = files(done);
        } else if (outcome instanceof JobOutcome.Failed failed) {
            error = failed.error().toJson().encode();
        }
        String state = outcome instanceof JobOutcome.Done ? "done" : "failed";
        return run(
                        Script.COMPLETE,
                        job.kb(),
                        job.ticket(),
                        outcome.leaseId(),
                        state,
                        commit,
                        files,
                        error,
                        commitUrl,
                        result)
                .map(r -> Replies.completed(job.ticket(), r));
    }

    /**
     * Cancels a job no worker took yet (see cancel.lua); {@code submitter} must be the submitting token's name ('':
     * any). A grant the step ends, or makes for the next ticket, is in the result.
     */
    public Future<Cancellation> cancel(JobRef job, String submitter) {
        return run(Script.CANCEL, job.kb(), job.ticket(), submitter).map(r -> Replies.cancelled(job.ticket(), r));
    }

    /** Takes up to {@code max} queued note jobs behind the note job granted as {@code head}; empty if not live. */
    public Future<Optional<Batch>> extend(LeaseRef head, int max) {
        return run(Script.EXTEND, head.kb(), head.id(), max).map(r -> Replies.batch(head.kb(), r));
    }

    /**
     * Gives back the notes an extend of {@code head} took in a step answered 503 REPLICATION_TIMEOUT, or whose answer
     * could not be given to its worker ({@code extendReply}: the step's withheld answer), so its worker never learned
     * of them: each waits again at its place,
     * its attempt returned, and the grant is the head's alone. True if they were; false if the step took none (a
     * retry's answer), or the grant or a member changed since, or a later answer named them (a retry of the extend
     * through another coordinator may have told the worker of them).
     */
    public Future<Boolean> unextend(LeaseRef head, JsonObject extendReply) {
        String taken = extendReply.getString("taken", "");
        if (!"ok".equals(extendReply.getString("result")) || taken.isBlank()) {
            return Future.succeededFuture(false);
        }
        long answers = extendReply.getLong("answers", 0L);
        return run(Script.UNEXTEND, head.kb(), head.id(), taken, answers).map(r -> r.getBoolean("returned", false));
    }

    /**
     * A sweep pass over {@code kb}; {@code noAgentWorker}: no known worker runs agents, so an agent task granted and not
     * taken fails NO_AGENT_WORKER in the pass ({@link Sweep#stranded()}).
     */
    public Future<Sweep> sweep(KbId kb, boolean noAgentWorker) {
        return run(Script.SWEEP, kb, noAgentWorker ? "1" : "").map(Replies::sweep);
    }

    /** Claims or confirms this coordinator as the KB's driver. */
    public Future<Boolean> drive(KbId kb) {
        return run(Script.DRIVE, kb).map(r -> r.getBoolean("driving"));
    }

    /** Gives up the driver key if this coordinator holds it. */
    public Future<Void> undrive(KbId kb) {
        return run(Script.UNDRIVE, kb).mapEmpty();
    }

    public Future<KbView> view(KbId kb) {
        return run(Script.VIEW, kb).map(r -> Records.kbView(kb, r));
    }

    public Future<Optional<TicketView>> ticket(KbId kb, String ticket) {
        return run(Script.TICKET, kb, ticket).map(r -> Records.view(ticket, r.getJsonObject("view")));
    }

    /** A job as stored, at its place in the queue; empty if unknown (or past its retention). */
    public Future<Optional<Job>> job(JobRef job) {
        return owned(job).map(owned -> owned.map(OwnedJob::job));
    }

    /** {@link #job(JobRef)} with the name of the token that submitted it. */
    public Future<Optional<OwnedJob>> owned(JobRef job) {
        return run(Script.JOB, job.kb(), job.ticket()).map(r -> Replies.storedJob(job.ticket(), r));
    }

    /**
     * The KB's jobs strictly after {@code after} (newest first), matching {@code user} and {@code state} ('': any) and
     * submitted as one of {@code users} (names and prefixes ending in {@code *}; empty: any), at most {@code limit},
     * scanning at most {@code maxScan} index entries.
     */
    public Future<ListSlice> list(
            KbId kb, Optional<JobCursor> after, int limit, String user, List<String> users, String state, int maxScan) {
        return run(
                        Script.LIST,
                        kb,
                        after.map(p -> Long.toString(p.ms())).orElse(""),
                        after.map(JobCursor::ticket).orElse(""),
                        limit,
                        user,
                        state,
                        maxScan,
                        String.join(",", users))
                .map(r -> Replies.listed(kb, r));
    }

    /** The KB's recently finished jobs and failures, newest first (finished jobs past their retention are gone). */
    public Future<RecentJobs> recent(KbId kb) {
        return run(Script.RECENT, kb).map(r -> Replies.recent(kb, r));
    }

    /**
     * Claims up to {@code max} of the KB's due webhook deliveries: each is due again after {@code leaseMs} unless its
     * result is reported first (so another coordinator delivers it if this one dies); with how many the KB has left.
     */
    public Future<DueHooks> dueHooks(KbId kb, long leaseMs, int max) {
        return run(Script.HOOKS, kb, leaseMs, max).map(r -> DueHooks.fromScript(kb, r));
    }

    /**
     * Reports a delivery's result: delivered (it leaves the set), or failed (due again after a backoff, or dropped
     * once that is more than {@code retryMs} after the job's terminal state).
     */
    public Future<DueHook.Result> hookDone(DueHook hook, boolean delivered, long retryMs) {
        return hookDone(hook, delivered ? "ok" : "retry", retryMs);
    }

    /** Drops a claimed delivery without an attempt (its callback host is no longer allowed): never retried. */
    public Future<DueHook.Result> hookDropped(DueHook hook) {
        return hookDone(hook, "drop", 0);
    }

    private Future<DueHook.Result> hookDone(DueHook hook, String result, long retryMs) {
        return run(Script.HOOK_DONE, hook.kb(), hook.ticket(), result, retryMs)
                .map(r -> DueHook.Result.valueOf(r.getString("result").toUpperCase(java.util.Locale.ROOT)));
    }

    /**
     * Removes the KB in one step unless a ticket is queued or granted (see remove.lua); {@code registered}: its
     * registration was in the registry, which a KB registered before its conf key existed counts on.
     */
    public Future<KbRemoval> remove(KbId kb, boolean registered) {
        return removeStep(kb, registered, "").map(Optional::orElseThrow);
    }

    /**
     * What {@link #remove} would refuse now (busy, or no such KB), deleting nothing; empty when the KB is idle. Not
     * atomic with what follows: the removal itself checks again.
     */
    public Future<Optional<KbRemoval>> refusal(KbId kb, boolean registered) {
        return removeStep(kb, registered, "check");
    }

    private Future<Optional<KbRemoval>> removeStep(KbId kb, boolean registered, String mode) {
        return run(
                        Script.REMOVE,
                        kb,
                        List.of(new KbKeys(kb).conf(), Window.kb(kb.value(), 1).key()),
                        registered ? "1" : "",
                        mode)
                .map(r -> switch (r.getString("r")) {
                    case "idle" -> Optional.<KbRemoval>empty();
                    case "removed" -> Optional.of(new KbRemoval.Removed(r.getInteger("kept")));
                    case "busy" -> Optional.of(new KbRemoval.Busy(r.getInteger("queued"), r.getInteger("running")));
                    default -> Optional.of(new KbRemoval.Unknown());
                });
    }

    /** Runs a per-KB script with the common arguments (see lib.lua) followed by {@code args}. */
    private static String files(JobOutcome.Done done) {
        JsonArray array = new JsonArray();
        done.files().forEach(f -> {
            JsonObject file = f.toJson();
            file.getMap().values().removeIf(v -> v == null); // a file without a link reads the same without it
            array.add(file);
        });
        return array.encode();
    }

    private Future<JsonObject> run(Script script, KbId kb, Object... args) {
        return run(script, kb, List.of(), args);
    }

    /** {@link #run(Script, KbId, Object...)} with the step's own {@code keys} (in the KB's slot) after the KB's. */
    private Future<JsonObject> run(Script script, KbId kb, List<Object> keys, Object... args) {
        List<Object> argv = new ArrayList<>(List.of(
                kb.value(),
                lockOwner,
                settings.maxHoldMs(),
                publish,
                settings.maxAttempts(),
                settings.retentionMs(),
                Ids.nonce(),
                settings.waiterTtlMs(),
                settings.coordinatorId(),
                settings.driverTtlMs()));
        argv.addAll(List.of(args));
        return redis.run(script, new KbKeys(kb), keys, argv);
    }
}
