package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Claim;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ClaimResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Lapsed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.OtherKind;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ready;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.UnconfirmedWrite;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands granted jobs to polling workers: takes the next ready KB's job grant if it is still live and unclaimed (the
 * claim step marks the job running), and adds where the KB lives.
 */
public final class Assigner {
    private static final String KB_NOT_FOUND = "KB_NOT_FOUND";
    /**
     * How long a poll that found the oldest ready KB's grant lapsed waits for the sweep to grant its job again (the KB
     * announced, the sweep passes it at its next tick, {@code lease.sweepMillis}) before it takes the next KB.
     */
    private static final long LAPSED_WAIT_NANOS = Duration.ofSeconds(2).toNanos();

    private static final Logger LOG = LoggerFactory.getLogger(Assigner.class);
    private final Poller poller;
    private final Dispatcher dispatcher;
    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Changes changes;
    private final Context context;

    public Assigner(
            Poller poller,
            Dispatcher dispatcher,
            Tickets tickets,
            RedisKbRegistry kbs,
            Changes changes,
            Context context) {
        this.poller = poller;
        this.dispatcher = dispatcher;
        this.context = context;
        this.tickets = tickets;
        this.kbs = kbs;
        this.changes = changes;
    }

    /**
     * The next assignment of a job of one of {@code kinds} (what the worker runs), or empty at {@code deadlineNanos}
     * (System.nanoTime), or at once when its worker drains after the poll began ({@code beganNanos}). A grant found to
     * be of another kind (a stale ready entry, or a grant reserved for this worker) goes to its own kind's ready set,
     * and the poll goes on. A grant found lapsed (not yet made again by the sweep) makes the poll wait, at most 2 s, for
     * the sweep to grant its job again (which puts the KB back at its place and wakes the pollers), and take that KB,
     * rather than take one that became ready later.
     */
    public Future<Optional<Assignment>> next(String workerId, Set<JobKind> kinds, long beganNanos, long deadlineNanos) {
        return poller.take(workerId, kinds, beganNanos, deadlineNanos)
                .compose(kb -> kb.isEmpty()
                        ? Future.succeededFuture(Optional.empty())
                        : claim(kb.get(), workerId, kinds, beganNanos, deadlineNanos));
    }

    private Future<Optional<Assignment>> claim(
            KbId kb, String workerId, Set<JobKind> kinds, long beganNanos, long deadlineNanos) {
        return tickets.claim(kb, workerId, kinds)
                .recover(e -> takeBack(kb, workerId, e))
                .compose(found -> claimed(kb, workerId, kinds, beganNanos, deadlineNanos, found));
    }

    /** {@code workerId} says it drains: its polls in flight end empty at once ({@link Poller#end}). */
    public void endPolls(String workerId) {
        poller.end(workerId);
    }

    private Future<Optional<Assignment>> claimed(
            KbId kb, String workerId, Set<JobKind> kinds, long beganNanos, long deadlineNanos, ClaimResult found) {
        if (found instanceof Claim claim) {
            return assigned(kb, workerId, claim);
        }
        if (found instanceof OtherKind other) {
            dispatcher.ready(kb, other.ready());
        }
        if (found instanceof Lapsed lapsed && kinds.contains(lapsed.ready().kind())) {
            long until = Math.min(deadlineNanos, System.nanoTime() + LAPSED_WAIT_NANOS);
            changes.announce(kb); // the sweep ends the lapsed grant at its next tick, not at the KB's next rest
            return poller.takeWhenBack(workerId, kb, lapsed.ready().kind(), beganNanos, until)
                    .compose(back -> back
                            ? claim(kb, workerId, kinds, beganNanos, deadlineNanos)
                            : next(workerId, kinds, beganNanos, deadlineNanos));
        }
        return next(workerId, kinds, beganNanos, deadlineNanos);
    }

    /**
     * The assignment of {@code claim}; if it cannot be made, the claim is given back. A KB missing from the registry
     * (a removal takes it out before its step, which refuses a KB in use and puts it back) answers the poll without a
     * job, never 404: the job is offered again once the registration is back, or cancelled by the removal's caller.
     */
    private Future<Optional<Assignment>> assigned(KbId kb, String workerId, Claim claim) {
        context.runOnContext(v -> poller.claimed(workerId));
        return assignments(kb, List.of(claim))
                .map(list -> Optional.of(list.get(0)))
                .recover(e -> giveBack(kb, workerId, claim.lease().id())
                        .transform(r -> kbUnlisted(e)
                                ? Future.succeededFuture(Optional.<Assignment>empty())
                                : Future.<Optional<Assignment>>failedFuture(e)));
    }

    /** Whether {@code e} is {@link #assignments}' refusal of a KB the registry does not list. */
    private static boolean kbUnlisted(Throwable e) {
        return e instanceof NotFoundException missing && KB_NOT_FOUND.equals(missing.code());
    }

    /**
     * A claim whose poll is answered 503 REPLICATION_TIMEOUT (made on the master, not confirmed on enough replicas) is
     * taken back at once, so the next poll gets the job without waiting for the grant's TTL and the attempt is not
     * counted; the poll still fails with {@code e}. If the take-back fails too (Redis gone), the grant lapses after its
     * TTL as before.
     */
    private Future<ClaimResult> takeBack(KbId kb, String workerId, Throwable e) {
        if (!(e instanceof UnconfirmedWrite unconfirmed) || unconfirmed.reply() == null) {
            return Future.failedFuture(e);
        }
        return tickets.unclaim(kb, workerId, unconfirmed.reply())
                .map(ready -> offeredAgain(kb, ready))
                .transform(r -> taken(kb, workerId, "no replica confirmed", r))
                .transform(r -> Future.failedFuture(e));
    }

    /**
     * The group commit's counterpart of {@link #takeBack}: the notes an extend of {@code head} took in a step answered
     * 503 REPLICATION_TIMEOUT are given back at once, so the head's report ends the grant and they are handed out
     * without waiting for its TTL, their attempts not counted; the extend still fails with {@code e}. If that fails too,
     * they go back when the grant lapses, as before.
     */
    public <T> Future<T> takeBackBatch(LeaseRef head, Throwable e) {
        if (!(e instanceof UnconfirmedWrite unconfirmed) || unconfirmed.reply() == null) {
            return Future.failedFuture(e);
        }
        return untaken(head, tickets.unextend(head, unconfirmed.reply()), "which no replica confirmed")
                .transform(r -> Future.<T>failedFuture(e));
    }

    /**
     * Gives back the notes the extend step of {@code batch} took under {@code head}, whose answer could not be given
     * (its request was answered 503 meanwhile, or its worker left): each waits at its place again, its attempt
     * returned, unless a later answer named them (see {@link Tickets#unextend}). Whether they were given back; never
     * fails (if Redis does, they go back when the grant lapses).
     */
    public Future<Boolean> untakeBatch(LeaseRef head, Outcomes.Batch batch) {
        return untaken(head, tickets.unextend(head, batch.step()), "whose extend could not be answered");
    }

    /**
     * Logs how giving back the notes taken along under {@code head} ({@code why} they are given back) went, and
     * announces the KB's change when they were; whether they were given back; never fails (if Redis does, they go back
     * when the grant lapses).
     */
    private Future<Boolean> untaken(LeaseRef head, Future<Boolean> unextend, String why) {
        return unextend.transform(r -> {
            if (r.succeeded() && r.result()) {
                changes.announce(head.kb());
                LOG.info(
                        "KB {}: gave back the notes taken along under {}, {}; they wait at their places again",
                        head.kb(),
                        head.id(),
                        why);
            } else if (r.failed()) {
                LOG.warn(
                        "KB {}: could not give back the notes taken along under {} ({}); they go back when"
                                + " its grant lapses",
                        head.kb(),
                        head.id(),
                        r.cause().toString());
            }
            return Future.succeededFuture(r.succeeded() && r.result());
        });
    }

    /**
     * Takes back {@code workerId}'s claim of the job grant {@code leaseId}, which its worker never received (its poll
     * failed after the claim, or could not be answered): the job is offered again at the sweep's next tick ({@code
     * lease.sweepMillis}), at its place, and the attempt is not counted. If that fails too (Redis gone), the grant
     * lapses after its TTL. Whether it was taken back.
     */
    public Future<Boolean> giveBack(KbId kb, String workerId, String leaseId) {
        return tickets.unclaim(kb, workerId, leaseId)
                .map(ready -> {
                    // not offered at once: what failed the assignment (a KB missing from the registry) may fail the
                    // next poll's too; the sweep offers it again at its next tick (lease.sweepMillis), at its place
                    ready.ifPresent(job -> changes.announce(kb));
                    return ready.isPresent();
                })
                .transform(r -> taken(kb, workerId, "its worker never received", r));
    }

    /**
     * Takes back {@code workerId}'s claim of the job grant {@code leaseId}, which its worker received but gives back
     * unrun (it is stopping): the job is offered again at once and the attempt is not counted. Whether it was taken
     * back; fails when Redis does, so that the worker learns the grant will only lapse after its TTL.
     */
    public Future<Boolean> givenBack(KbId kb, String workerId, String leaseId) {
        return tickets.unclaim(kb, workerId, leaseId)
                .map(ready -> offeredAgain(kb, ready))
                .onSuccess(taken -> {
                    if (taken) {
                        LOG.info(
                                "KB {}: {} gave back its claim of {} unrun; the job is offered again",
                                kb,
                                workerId,
                                leaseId);
                    }
                });
    }

    /**
     * A claim taken back: its job is offered again at once, at the place it had among the ready KBs, and the KB's change
     * announced. Whether there was one.
     */
    private boolean offeredAgain(KbId kb, Optional<Ready> ready) {
        ready.ifPresent(job -> {
            dispatcher.ready(kb, job);
            changes.announce(kb);
        });
        return ready.isPresent();
    }

    private Future<Boolean> taken(KbId kb, String workerId, String why, AsyncResult<Boolean> r) {
        if (r.succeeded() && r.result()) {
            LOG.info("KB {}: took back a claim by {} that {}; the job is offered again", kb, workerId, why);
        } else if (r.failed()) {
            LOG.warn(
                    "KB {}: could not take back a claim by {} that {} ({}); it lapses after its TTL",
                    kb,
                    workerId,
                    why,
                    r.cause().toString());
        }
        return Future.succeededFuture(r.succeeded() && r.result());
    }

    /** {@code workerId} released a job's grant here (it will poll again soon: worker affinity). */
    public void finished(String workerId) {
        context.runOnContext(v -> poller.finished(workerId));
    }

    /** Assignments for claims just made on {@code kb} (a poll's, or a group commit's members). */
    public Future<List<Assignment>> assignments(KbId kb, List<Claim> claims) {
        if (claims.isEmpty()) {
            return Future.succeededFuture(List.of());
        }
        changes.announce(kb);
        return kbs.get(kb).map(config -> {
            KbConfig where = config.orElseThrow(() -> new NotFoundException(KB_NOT_FOUND, "no KB " + kb));
            return claims.stream()
                    .map(c -> new Assignment(c.lease(), c.job(), where, c.previousFence(), c.notesBehind()))
                    .toList();
        });
    }
}
