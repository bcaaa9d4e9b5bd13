package dev.kbsync.coordinator.engine;

import java.util.List;

/** Typed replies of the per-KB scripts. */
final class Outcomes {
    private Outcomes() {}

    /** The first ticket of a KB, its synthetic Redisson thread id, and whether it already holds the grant. */
    record Head(String ticket, long thread, boolean granted) {}

    /** What the grant script did for the head ticket. */
    sealed interface GrantResult permits Granted, Held, NotHead {}

    record Granted(long fence, String leaseId, String kind, String jobId, long createdMs, long nowMs, String holder)
            implements GrantResult {
        boolean job() {
            return "job".equals(kind);
        }
    }

    /** The head already holds a grant (kept across a driver change). */
    record Held() implements GrantResult {}

    /** The ticket is no longer first (cancelled or dropped while the lock was being acquired). */
    record NotHead() implements GrantResult {}

    /** What ending a grant or cancelling a waiter did. */
    sealed interface ReleaseResult permits Ended, Kept, Cancelled, Gone {}

    /** The grant ended; {@code requeued} are the group-commit members that went back to waiting. */
    record Ended(long heldMs, long fence, String kind, String holder, String jobId, long ttlMs, List<String> requeued)
            implements ReleaseResult {}

    /** A group-commit member (or the head) completed; the grant continues until every member has. */
    record Kept() implements ReleaseResult {}

    record Cancelled() implements ReleaseResult {}

    /** The lease was not current (already ended, expired, or superseded). */
    record Gone() implements ReleaseResult {}

    /** A worker took a granted job lease. */
    record Claim(long expiresAtMs, int attempts, long nowMs) {}

    /** Group-commit members taken behind a head grant, in queue order. */
    record Batch(long nowMs, long expiresAtMs, String worker, List<Member> members) {}

    /** One member: its ticket (= job id), its own fencing token, its attempt number. */
    record Member(String ticket, long fence, int attempts) {}

    /** One periodic pass: driver status (mine, claimed, other, none), an overdue grant, dropped dead waiters. */
    record Sweep(String driver, String overdueLeaseId, String reason, List<String> dropped) {}
}
