package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.redis.Script;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Batch;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancelled;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Claim;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Enqueued;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Gone;
import dev.kbsync.coordinator.engine.ticket.Outcomes.GrantResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Head;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Held;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Idle;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Kept;
import dev.kbsync.coordinator.engine.ticket.Outcomes.LockBusy;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Member;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotHead;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Sweep;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The per-KB ticket operations, one atomic script call each (see the {@code .lua} resources). Grants take the KB's
 * Redisson {@code RFairLock} under this coordinator's Redisson client id, with the ticket's seq as the thread id.
 */
public final class Tickets {
    private final Redis redis;
    private final DriverSettings settings;
    private final long maxHoldMs;
    private final String lockOwner;

    public Tickets(Redis redis, DriverSettings settings) {
        this.redis = redis;
        this.settings = settings;
        this.maxHoldMs = settings.maxHoldMs();
        this.lockOwner = redis.client().getId();
    }

    /**
     * Joins the tail (no-op for an existing ticket) and, if the KB is free, takes the grant in the same step; a KB
     * without a driver gets this coordinator. Rank -1: the ticket already finished.
     */
    public Future<Enqueued> enqueue(
            KbId kb, String ticket, String kind, String holder, String jobId, String type, long ttlMs, long aliveMs) {
        return redis.run(
                        Script.ENQUEUE,
                        new KbKeys(kb),
                        ticket,
                        kind,
                        holder,
                        jobId,
                        ttlMs,
                        aliveMs,
                        type,
                        kb.value(),
                        maxHoldMs,
                        lockOwner,
                        settings.coordinatorId(),
                        settings.driverTtlMs())
                .map(r -> "granted".equals(r.get(0))
                        ? new Enqueued(0, Granted.parse(r, 0))
                        : new Enqueued(Long.parseLong(r.get(0)), new Idle()));
    }

    public Future<Optional<Head>> head(KbId kb) {
        return redis.run(Script.HEAD, new KbKeys(kb))
                .map(r -> r.isEmpty()
                        ? Optional.empty()
                        : Optional.of(new Head(
                                r.get(0), Long.parseLong(r.get(1)), r.get(0).equals(r.get(2)))));
    }

    /** The driver's step: grants {@code ticket} if it is the head and nobody holds a grant. */
    public Future<GrantResult> grant(KbId kb, String ticket) {
        return redis.run(Script.GRANT, new KbKeys(kb), ticket, maxHoldMs, kb.value(), lockOwner)
                .map(r -> switch (r.get(0)) {
                    case "granted" -> Granted.parse(r, 0);
                    case "held" -> new Held();
                    case "lock-busy" -> new LockBusy();
                    default -> new NotHead();
                });
    }

    public Future<Optional<Claim>> claim(LeaseRef ref, String workerId) {
        return redis.run(Script.CLAIM, ref.keys(), ref.id(), workerId)
                .map(r -> r.isEmpty()
                        ? Optional.empty()
                        : Optional.of(new Claim(
                                Long.parseLong(r.get(0)), Integer.parseInt(r.get(1)), Long.parseLong(r.get(2)))));
    }

    /** Extends a grant or keeps a raw waiter alive; false when the lease is no longer current. */
    public Future<Boolean> heartbeat(LeaseRef ref, long waiterTtlMs) {
        return redis.run(Script.HEARTBEAT, ref.keys(), ref.ticket(), ref.id(), waiterTtlMs, fence(ref))
                .map(r -> !"lost".equals(r.get(0)));
    }

    /**
     * Ends the grant {@code ref} (or cancels a raw waiter); {@code requeue} keeps a job's ticket at its place. An ended
     * grant's RFairLock is dropped and the next ticket granted in the same step ({@link Ended#next()}).
     */
    public Future<ReleaseResult> release(LeaseRef ref, String endState, boolean requeue) {
        return redis.run(
                        Script.RELEASE,
                        ref.keys(),
                        ref.ticket(),
                        ref.id(),
                        endState,
                        requeue ? "requeue" : "end",
                        fence(ref),
                        ref.kb().value(),
                        maxHoldMs,
                        lockOwner)
                .map(Tickets::released);
    }

    private static ReleaseResult released(List<String> r) {
        return switch (r.get(0)) {
            case "ended" -> {
                int members = Integer.parseInt(r.get(7));
                yield new Ended(
                        Long.parseLong(r.get(1)),
                        Long.parseLong(r.get(2)),
                        r.get(3),
                        r.get(4),
                        r.get(5),
                        Long.parseLong(r.get(6)),
                        List.copyOf(r.subList(8, 8 + members)),
                        Outcomes.headGrant(r, 8 + members));
            }
            case "kept" -> new Kept();
            case "cancelled" -> new Cancelled(r.get(1), Long.parseLong(r.get(2)));
            default -> new Gone();
        };
    }

    /** Takes up to {@code max} queued note jobs behind the note job granted as {@code head}; empty if not current. */
    public Future<Optional<Batch>> extend(LeaseRef head, int max) {
        return redis.run(Script.EXTEND, head.keys(), head.id(), max).map(r -> {
            if (!"ok".equals(r.get(0))) {
                return Optional.empty();
            }
            List<Member> members = new ArrayList<>();
            for (int i = 4; i + 3 <= r.size(); i += 3) {
                members.add(new Member(r.get(i), Long.parseLong(r.get(i + 1)), Integer.parseInt(r.get(i + 2))));
            }
            return Optional.of(new Batch(Long.parseLong(r.get(1)), Long.parseLong(r.get(2)), r.get(3), members));
        });
    }

    public Future<Sweep> sweep(KbId kb, String coordinatorId, long driverTtlMs) {
        return redis.run(Script.SWEEP, new KbKeys(kb), coordinatorId, driverTtlMs)
                .map(r -> new Sweep(
                        r.get(0), r.get(1), r.get(2), Integer.parseInt(r.get(3)), List.copyOf(r.subList(4, r.size()))));
    }

    /** Claims or confirms this coordinator as the KB's driver. */
    public Future<Boolean> drive(KbId kb, String coordinatorId, long driverTtlMs) {
        return redis.run(Script.DRIVE, new KbKeys(kb), coordinatorId, driverTtlMs)
                .map(r -> "1".equals(r.get(0)));
    }

    /** Gives up the driver key if this coordinator holds it. */
    public Future<Void> undrive(KbId kb, String coordinatorId) {
        return redis.run(Script.UNDRIVE, new KbKeys(kb), coordinatorId).mapEmpty();
    }

    public Future<KbView> view(KbId kb) {
        return redis.run(Script.VIEW, new KbKeys(kb)).map(r -> KbView.parse(kb, r));
    }

    private static String fence(LeaseRef ref) {
        return ref.forJob() ? ref.fence().toString() : "";
    }

    public Future<Optional<TicketState>> ticket(KbId kb, String ticket) {
        return redis.run(Script.TICKET, new KbKeys(kb), ticket)
                .map(r -> r.isEmpty() ? Optional.empty() : Optional.of(TicketState.parse(r)));
    }
}
