package dev.kbsync.coordinator.engine.lease;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.InvalidInputException;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.Quoting;
import dev.kbsync.coordinator.config.EngineConfig;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.event.DoingChanged;
import dev.kbsync.coordinator.engine.redis.Ids;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.CurrentGrant;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Beat;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancelled;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Enqueued;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotRequester;
import dev.kbsync.coordinator.engine.ticket.TicketKind;
import dev.kbsync.coordinator.engine.ticket.TicketView;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.ConflictException;
import dev.kbsync.coordinator.error.ForbiddenException;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.service.KeepAlive;
import dev.kbsync.coordinator.service.LeaseService;
import dev.kbsync.coordinator.service.Orphans;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Raw leases over the KB tickets; an uncontended request comes back already GRANTED. */
public final class RedisLeaseService implements LeaseService {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLeaseService.class);
    private static final long GRANT_WAIT_MS = 500;

    private final Vertx vertx;
    private final EngineConfig config;
    private final Tickets tickets;
    private final RedisKbRegistry kbs;
    private final Changes changes;
    private final Grants grants;
    private final KeepAlives keepAlives;
    /** Releases the leases of requests that failed after their step may have run. */
    private final Orphans orphans;

    public RedisLeaseService(
            Vertx vertx,
            EngineConfig config,
            Tickets tickets,
            RedisKbRegistry kbs,
            Changes changes,
            Grants grants,
            KeepAlives keepAlives) {
        this.keepAlives = keepAlives;
        this.vertx = vertx;
        this.config = config;
        this.tickets = tickets;
        this.kbs = kbs;
        this.changes = changes;
        this.grants = grants;
        this.orphans = new Orphans(vertx, this, config.maxHold());
    }

    @Override
    public Future<Lease> request(KbId kb, String holder, Duration ttl, String requester) {
        if (holder == null || holder.isBlank()) {
            return Future.failedFuture(new InvalidInputException("INVALID_HOLDER", "holder must not be empty"));
        }
        long ttlMs = ttl == null
                ? config.leaseTtl().toMillis()
                : Math.max(1, Math.min(ttl.toMillis(), config.maxHold().toMillis()));
        String ticket = Ids.next();
        String leaseId = LeaseRef.raw(kb, ticket);
        return kbs.require(kb)
                .compose(v -> enqueue(kb, ticket, holder, ttlMs, requester, true)
                        .compose(enqueued -> answer(kb, leaseId, holder, ttlMs, enqueued))
                        .onFailure(failure -> {
                            if (failure instanceof UnavailableException) { // its step may have run: nobody has its id
                                orphans.release(leaseId);
                            }
                        }));
    }

    /**
     * Queues the raw lease's ticket; a KB without its conf key (registered before conf keys existed) gets it written
     * from the registry ({@code settle}) and is tried once more; a removed KB has no registration left to write from.
     */
    private Future<Enqueued> enqueue(
            KbId kb, String ticket, String holder, long ttlMs, String requester, boolean settle) {
        // the requesting token's name is kept as the ticket's submitter, as a job's is
        return tickets.enqueue(kb, ticket, TicketKind.LEASE, holder, ttlMs, null, requester, "")
                .recover(e -> settle && e instanceof NotFoundException
                        ? kbs.settle(kb)
                                .compose(known -> known
                                        ? enqueue(kb, ticket, holder, ttlMs, requester, false)
                                        : Future.failedFuture(e))
                        : Future.failedFuture(e));
    }

    /** The lease a request's step made: granted, or waiting (tried for a busy RFairLock first when at the head). */
    private Future<Lease> answer(KbId kb, String leaseId, String holder, long ttlMs, Enqueued enqueued) {
        Future<Void> settled = changes.enqueued(kb, enqueued);
        if (enqueued.granted()) {
            return Future.succeededFuture(((Granted) enqueued.next()).rawLease(kb));
        }
        if (enqueued.rank() == 0) { // the driver waits for a busy RFairLock: answer once it tried
            return briefly(settled).compose(v -> heartbeat(leaseId));
        }
        return Future.succeededFuture(new Lease(
                leaseId, kb, holder, LeaseState.WAITING, enqueued.rank(), null, null, null, null, null, ttlMs));
    }

    @Override
    public Future<Lease> get(String leaseId) {
        return LeaseRef.of(leaseId)
                .compose(ref -> tickets.ticket(ref.kb(), ref.ticket())
                        .map(view -> view.filter(v -> names(ref, v))
                                .map(v -> v.lease(ref))
                                .orElseThrow(() -> new NotFoundException(
                                        "LEASE_NOT_FOUND", "no lease " + Quoting.quote(leaseId)))));
    }

    /**
     * Whether {@code ref} is a lease of the ticket {@code view} shows: a job's lease id for a job's ticket, a raw
     * lease's for a raw lease's. A job's own id has the form of a raw lease's id ({@code <kb>~<ticket>}), and names no
     * lease.
     */
    private static boolean names(LeaseRef ref, TicketView view) {
        return ref.forJob() == (view.ticket().kind() == TicketKind.JOB);
    }

    @Override
    public Future<String> requester(String leaseId) {
        return LeaseRef.of(leaseId)
                .compose(ref -> ref.forJob()
                        ? Future.succeededFuture("") // a job's grant is its worker's: no read
                        : tickets.ticket(ref.kb(), ref.ticket())
                                .map(view -> view.filter(v -> names(ref, v))
                                        .map(v -> v.ticket().submitter())
                                        .orElseThrow(() -> new NotFoundException(
                                                "LEASE_NOT_FOUND", "no lease " + Quoting.quote(leaseId)))));
    }

    /**
     * Keeps a live waiter alive or extends a live grant, answering the lease as it is then; anything else (ended,
     * expired, superseded, a job lease whose job went back to waiting, or unknown: nothing to keep alive) is LEASE_LOST,
     * another token's raw lease NOT_REQUESTER. Also what keeps a waiter alive
     * while its event stream is open ({@link #keepAlive}, batched per KB by {@link KeepAlives}).
     */
    @Override
    public Future<Lease> heartbeat(String leaseId, Optional<String> doing, String requester) {
        return LeaseRef.of(leaseId)
                .compose(ref -> tickets.heartbeat(ref, doing, rawOnly(ref, requester))
                        .compose(beat -> {
                            if (beat.beat() == Beat.NOT_REQUESTER) {
                                return Future.failedFuture(ForbiddenException.notRequester(leaseId));
                            }
                            if (beat.beat() == Beat.LOST || beat.view().isEmpty()) {
                                return Future.failedFuture(lost(leaseId));
                            }
                            if (beat.told() && ref.forJob()) {
                                beat.view()
                                        .get()
                                        .grant()
                                        .ifPresent(g -> changes.doing(doingChanged(ref.kb(), g, doing)));
                            }
                            return Future.succeededFuture(beat.view().get().lease(ref));
                        }));
    }

    /** The token a raw lease must belong to; none for a job's grant (its worker's, whichever token). */
    private static String rawOnly(LeaseRef ref, String requester) {
        return ref.forJob() ? "" : requester;
    }

    /** What the grant's jobs' streams are told: the head's job and its group commit's members (the still running). */
    private static DoingChanged doingChanged(KbId kb, CurrentGrant grant, Optional<String> doing) {
        List<String> jobs = new ArrayList<>();
        if (!grant.done()) { // the head already reported: its stream ended
            jobs.add(new JobRef(kb, grant.ticket()).id());
        }
        grant.members().forEach(member -> jobs.add(new JobRef(kb, member).id()));
        return new DoingChanged(kb, jobs, doing.orElseThrow());
    }

    /**
     * A raw lease's stream keeps it alive; a job's grant is not kept alive by anyone watching its lease, only by its
     * worker's heartbeats (a silent worker's job goes back after the TTL, whoever watches it).
     */
    @Override
    public KeepAlive keepAlive(String leaseId, Runnable onLost) {
        try {
            LeaseRef ref = LeaseRef.parse(leaseId);
            return ref.forJob() ? KeepAlive.NONE : keepAlives.register(ref, onLost);
        } catch (NotFoundException malformed) {
            return KeepAlive.NONE; // nothing to keep alive
        }
    }

    /** A raw lease's release answers from the release step's reply; a job's lease is read back. */
    @Override
    public Future<Lease> release(String leaseId, String requester) {
        return LeaseRef.of(leaseId)
                .compose(ref -> grants.end(ref, rawOnly(ref, requester)).compose(result -> {
                    if (result instanceof NotRequester) {
                        return Future.failedFuture(ForbiddenException.notRequester(leaseId));
                    }
                    if (!ref.forJob() && result instanceof Ended ended) {
                        return Future.succeededFuture(ended.lease(ref.kb()));
                    }
                    if (!ref.forJob() && result instanceof Cancelled cancelled) {
                        return Future.succeededFuture(cancelled.rawLease(leaseId, ref.kb()));
                    }
                    return get(leaseId);
                }));
    }

    @Override
    public Future<Void> forceRelease(KbId kb) {
        return kbs.require(kb).compose(v -> tickets.view(kb)).compose(view -> {
            if (view.grantLeaseId().isEmpty()) {
                return Future.succeededFuture();
            }
            LOG.warn("lease {} of KB {} force-released; granting next", view.grantLeaseId(), kb);
            return grants.end(LeaseRef.parse(view.grantLeaseId()), "").mapEmpty();
        });
    }

    /** Waits a little for the local driver round, so an uncontended request returns GRANTED. */
    private Future<Void> briefly(Future<Void> round) {
        Promise<Void> done = Promise.promise();
        long timer = vertx.setTimer(GRANT_WAIT_MS, t -> done.tryComplete());
        round.onComplete(ar -> {
            vertx.cancelTimer(timer);
            done.tryComplete();
        });
        return done.future();
    }

    private static ConflictException lost(String leaseId) {
        return new ConflictException(ErrorCodes.LEASE_LOST, "lease " + Quoting.quote(leaseId) + " is no longer held");
    }
}
