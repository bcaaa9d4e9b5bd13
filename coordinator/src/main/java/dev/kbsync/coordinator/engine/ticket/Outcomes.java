package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import java.time.Instant;
import java.util.List;

/** Typed replies of the per-KB scripts. */
public final class Outcomes {
    private Outcomes() {}

    /** The first ticket of a KB, its synthetic Redisson thread id, and whether it already holds the grant. */
    public record Head(String ticket, long thread, boolean granted) {}

    /** What a grant step did for the head ticket. */
    public sealed interface GrantResult permits Granted, Held, NotHead, LockBusy, Idle {}

    /** A new grant; {@code nowMs} is when it was made (Redis time), {@code expiresMs} when it lapses unrenewed. */
    public record Granted(
            long fence,
            String leaseId,
            String kind,
            String jobId,
            long createdMs,
            long nowMs,
            String holder,
            long expiresMs,
            long ttlMs,
            String ticket)
            implements GrantResult {
        public boolean job() {
            return "job".equals(kind);
        }

        /** The grant as a raw lease (not meaningful for a job's grant). */
        public Lease rawLease(KbId kb) {
            return new Lease(
                    leaseId,
                    kb,
                    holder,
                    LeaseState.GRANTED,
                    0,
                    fence,
                    null,
                    Instant.ofEpochMilli(nowMs),
                    Instant.ofEpochMilli(expiresMs),
                    ttlMs);
        }

        /** Parses grantHead's reply ({@code 'granted'} first) starting at {@code from}. */
        static Granted parse(List<String> r, int from) {
            return new Granted(
                    Long.parseLong(r.get(from + 1)),
                    r.get(from + 2),
                    r.get(from + 3),
                    r.get(from + 4),
                    Long.parseLong(r.get(from + 5)),
                    Long.parseLong(r.get(from + 6)),
                    r.get(from + 7),
                    Long.parseLong(r.get(from + 8)),
                    Long.parseLong(r.get(from + 9)),
                    r.get(from + 10));
        }
    }

    /**
     * The KB's Redisson {@code RFairLock} is held by someone else or has Redisson waiters queued first: the KB's
     * driver must wait for it with {@code lockAsync}.
     */
    public record LockBusy() implements GrantResult {}

    /** Nothing to grant: the queue is empty or a grant is in place. */
    public record Idle() implements GrantResult {}

    /** Reads grantHead's reply (possibly empty) at {@code from}. */
    public static GrantResult headGrant(List<String> r, int from) {
        if (r.size() <= from) {
            return new Idle();
        }
        return switch (r.get(from)) {
            case "granted" -> Granted.parse(r, from);
            case "lock-busy" -> new LockBusy();
            default -> new Idle();
        };
    }

    /** A ticket joined (or already was in) a KB's queue at {@code rank} (-1: finished), or was granted at once. */
    public record Enqueued(long rank, GrantResult grant) {
        public boolean granted() {
            return grant instanceof Granted;
        }
    }

    /** The head already holds a grant (kept across a driver change). */
    public record Held() implements GrantResult {}

    /** The ticket is no longer first (cancelled or dropped while the lock was being acquired). */
    public record NotHead() implements GrantResult {}

    /** What ending a grant or cancelling a waiter did. */
    public sealed interface ReleaseResult permits Ended, Kept, Cancelled, Gone {}

    /**
     * The grant ended; {@code requeued} are the group-commit members that went back to waiting; {@code next} is what
     * the same step did for the next ticket (granted it, found the RFairLock busy, or found nothing to grant).
     */
    public record Ended(
            long heldMs,
            long fence,
            String kind,
            String holder,
            String jobId,
            long ttlMs,
            List<String> requeued,
            GrantResult next)
            implements ReleaseResult {
        /** The ended grant as a raw lease in its final state (not meaningful for a job's grant). */
        public Lease rawLease(String leaseId, KbId kb, LeaseState state) {
            return new Lease(leaseId, kb, holder, state, 0, fence, null, null, null, ttlMs);
        }
    }

    /** A group-commit member (or the head) completed; the grant continues until every member has. */
    public record Kept() implements ReleaseResult {}

    /** A waiting raw lease left the queue. */
    public record Cancelled(String holder, long ttlMs) implements ReleaseResult {
        /** The cancelled request as a raw lease, released without ever being granted. */
        public Lease rawLease(String leaseId, KbId kb) {
            return new Lease(leaseId, kb, holder, LeaseState.RELEASED, 0, null, null, null, null, ttlMs);
        }
    }

    /** The lease was not current (already ended, expired, or superseded). */
    public record Gone() implements ReleaseResult {}

    /** A worker took a granted job lease. */
    public record Claim(long expiresAtMs, int attempts, long nowMs) {}

    /** Group-commit members taken behind a head grant, in queue order. */
    public record Batch(long nowMs, long expiresAtMs, String worker, List<Member> members) {}

    /** One member: its ticket (= job id), its own fencing token, its attempt number. */
    public record Member(String ticket, long fence, int attempts) {}

    /**
     * One periodic pass: driver status (mine, claimed, other, none), an overdue grant, the queue's length (holder and
     * waiters, after the pass), dropped dead waiters.
     */
    public record Sweep(String driver, String overdueLeaseId, String reason, int queueLength, List<String> dropped) {}
}
