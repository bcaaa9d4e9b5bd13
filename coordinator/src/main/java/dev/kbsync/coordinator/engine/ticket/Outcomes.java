package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.service.JobCursor;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Typed replies of the per-KB scripts (decoded by {@link Replies}). */
public final class Outcomes {
    private Outcomes() {}

    /** The first ticket of a KB, its synthetic Redisson thread id, and whether it already holds the grant. */
    public record Head(String ticket, long thread, boolean granted) {}

    /** What a grant step did for the head ticket. */
    public sealed interface GrantResult permits Granted, Held, NotHead, LockBusy, Idle {}

    /**
     * A new grant; times are Redis ms: made at {@code nowMs}, lapses at {@code expiresMs} unless renewed. {@code
     * affinity}: for a job's grant, the worker that last released a grant of the KB it had taken (null: none known).
     * {@code jobKind}: for a job's grant, what the job does (which workers may run it). {@code readyMs}: for a job's
     * grant, since when the job waits for a worker ({@link Ready}).
     */
    public record Granted(
            String ticket,
            String leaseId,
            long fence,
            TicketKind kind,
            JobKind jobKind,
            String holder,
            long createdMs,
            long nowMs,
            long expiresMs,
            long deadlineMs,
            long ttlMs,
            String affinity,
            long readyMs)
            implements GrantResult {
        public boolean job() {
            return kind == TicketKind.JOB;
        }

        /** A job's grant as it waits for a worker: its kind and its place among the ready KBs. */
        public Ready ready() {
            return new Ready(jobKind, readyMs);
        }

        /** The worker a job's grant is offered to first (worker affinity), if any. */
        public Optional<String> preferredWorker() {
            return job() ? Optional.ofNullable(affinity).filter(w -> !w.isEmpty()) : Optional.empty();
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
                    Instant.ofEpochMilli(deadlineMs),
                    ttlMs);
        }
    }

    /**
     * The KB's Redisson {@code RFairLock} is held by someone else or has Redisson waiters queued first: the KB's
     * driver must wait for it with {@code lockAsync}.
     */
    public record LockBusy() implements GrantResult {}

    /** Nothing to grant: the queue is empty or a grant is in place. */
    public record Idle() implements GrantResult {}

    /** The head already holds a grant (kept across a driver change). */
    public record Held() implements GrantResult {}

    /** The ticket is no longer first (cancelled or dropped while the lock was being acquired). */
    public record NotHead() implements GrantResult {}

    /**
     * A ticket joined (or already was in) a KB's queue at {@code rank} (-1: it already ended); {@code next} is what the
     * same step did at the head (granted this ticket, found the lock busy, or nothing); {@code job} is the stored job of
     * a job ticket (null for a raw lease); {@code dropped}: dead raw waiters dropped from the head.
     */
    public record Enqueued(long rank, Ticket ticket, Job job, GrantResult next, List<String> dropped) {
        public boolean granted() {
            return next instanceof Granted g && g.ticket().equals(ticket.id());
        }
    }

    /** Why a grant ended: released by its holder (or an admin), or lapsed: no heartbeat within its TTL, maximum hold. */
    public enum EndReason {
        RELEASED,
        TTL,
        MAX
    }

    /** What ending a grant or cancelling a waiter did. */
    public sealed interface ReleaseResult permits Ended, Kept, Cancelled, Gone, NotRequester {}

    /**
     * A grant ended; {@code failed}: job tickets that ran out of attempts with it; {@code requeued}: group-commit members
     * that went back to waiting; {@code next}: what the same step did for the next ticket; {@code dropped}: dead raw
     * waiters it skipped on the way; {@code worker}: the worker that had taken the job's grant (null: none).
     */
    public record Ended(
            String leaseId,
            String ticket,
            long fence,
            long heldMs,
            EndReason reason,
            TicketKind kind,
            String holder,
            long ttlMs,
            List<String> failed,
            List<String> requeued,
            GrantResult next,
            List<String> dropped,
            String worker)
            implements ReleaseResult {
        /** The ended grant as a lease in its final state (a job's: held by its worker, naming its job). */
        public Lease lease(KbId kb) {
            LeaseState state = reason == EndReason.RELEASED ? LeaseState.RELEASED : LeaseState.EXPIRED;
            boolean job = kind == TicketKind.JOB;
            return new Lease(
                    leaseId,
                    kb,
                    job && worker != null ? worker : holder,
                    state,
                    0,
                    fence,
                    job ? new JobRef(kb, ticket).id() : null,
                    null,
                    null,
                    null,
                    ttlMs);
        }
    }

    /** A group-commit member (or the head) completed; the grant continues until every member has. */
    public record Kept() implements ReleaseResult {}

    /** A waiting raw lease left the queue; the step then did {@code next} at the head. */
    public record Cancelled(String holder, long ttlMs, GrantResult next, List<String> dropped)
            implements ReleaseResult {
        /** The cancelled request as a raw lease, released without ever being granted. */
        public Lease rawLease(String leaseId, KbId kb) {
            return new Lease(leaseId, kb, holder, LeaseState.RELEASED, 0, null, null, null, null, null, ttlMs);
        }
    }

    /** The lease was not current (already ended, expired, or superseded). */
    public record Gone() implements ReleaseResult {}

    /** A raw lease another token asked for: left as it was. */
    public record NotRequester() implements ReleaseResult {}

    /**
     * A worker took a job's grant (or a group-commit member): its lease and the job, running; {@code previousFence}: the
     * KB's fencing token before the grant (null for a member, or a grant made before this was recorded);
     * {@code notesBehind}: whether a queued note job waits right behind the claimed note, for a group commit to take
     * along (null for a member).
     */
    public record Claim(Lease lease, Job job, Long previousFence, Boolean notesBehind) implements ClaimResult {}

    /** What a worker's claim of a KB's job grant found. */
    public sealed interface ClaimResult permits Claim, NothingToClaim, OtherKind, Lapsed {}

    /** No live, unclaimed job grant this worker may take (none, taken, ended, or reserved for another worker). */
    public record NothingToClaim() implements ClaimResult {}

    /** The grant's job is of a kind the worker does not run: it stays granted for another worker. */
    public record OtherKind(Ready ready) implements ClaimResult {}

    /**
     * The job's grant lapsed unclaimed and no sweep has ended it yet: not claimed; the sweep grants the job again,
     * and it keeps its place.
     */
    public record Lapsed(Ready ready) implements ClaimResult {}

    /**
     * A KB whose job grant waits for a worker: the job's kind (which ready set) and since when the job waits there
     * ({@code sinceMs}, Redis ms, the score of its entry): set at the job's grant and kept while that grant lapses
     * unclaimed, is given back or is made again, so that the job does not lose its place to KBs that became ready later;
     * set anew after a worker had the job and lost it.
     */
    public record Ready(JobKind kind, long sinceMs) {}

    /**
     * Group-commit members taken behind a head grant, in queue order; {@code step}: the extend step's answer, with
     * which the members it took are given back if that answer cannot be given ({@link Tickets#unextend}).
     */
    public record Batch(List<Claim> members, JsonObject step) {}

    /** What a heartbeat found. */
    public enum Beat {
        GRANTED,
        WAITING,
        LOST,
        /** A raw lease another token asked for: left as it was. */
        NOT_REQUESTER
    }

    /**
     * A heartbeat's result and the ticket as it is now (empty for an unknown ticket); {@code told}: the heartbeat changed
     * what the grant's holder says it is doing (a text other than the one kept before).
     */
    public record Heartbeat(Beat beat, Optional<TicketView> view, boolean told) {}

    /** What reporting an outcome found. */
    public enum Report {
        /** Recorded now (and the grant released, unless group-commit members still run). */
        RECORDED,
        /**
         * The live grant's head reported STALE_FENCE (the branch carries a later fence), REMOTE_UNAVAILABLE (its
         * worker waited for the KB's remote until the grant's deadline), DISK_FULL (its worker's disk was full),
         * WORKER_SHUTDOWN (its worker's shutdown stopped it before its push) or PUSH_UNCERTAIN (its push failed in
         * transport and may have landed), with attempts left: the grant ended and the job (with its group-commit
         * members) is queued again.
         */
        REQUEUED,
        /** The same lease reported before: the job as then recorded. */
        REPEATED,
        /** The lease is not the job's live grant. */
        LOST,
        /** Another lease reported the job before. */
        FINISHED,
        /** No such job. */
        UNKNOWN
    }

    /** A report's result, the job after it, and the grant it ended (if it did). */
    public record Completed(Report report, Optional<Job> job, Optional<Ended> ended) {}

    /** What a cancel step found. */
    public enum CancelReport {
        /** Cancelled now. */
        CANCELLED,
        /** A worker took the job: it runs (or ran) to its outcome. */
        RUNNING,
        /** The job had ended before (done, failed or cancelled). */
        ENDED,
        /** The caller is not the job's submitting token. */
        FORBIDDEN,
        /** No such job. */
        UNKNOWN
    }

    /**
     * A cancel's result, the job after it, and what the step did to the queue ({@link Ended} when it gave up the job's
     * grant, {@link Cancelled} when the job was waiting; {@link Gone} when it did nothing).
     */
    public record Cancellation(CancelReport report, Optional<Job> job, ReleaseResult released) {}

    /** A job of a list page, at its position. */
    public record Listed(JobCursor position, Job job) {}

    /**
     * One KB's part of a job list page, newest first: {@code full} when it reached the limit (more may follow its last
     * job); {@code cut}: the last entry it scanned when it stopped scanning (more may follow that), else empty.
     */
    public record ListSlice(List<Listed> jobs, boolean full, Optional<JobCursor> cut) {
        /** Down to which position this slice is complete (empty: the whole rest of the KB's index). */
        public Optional<JobCursor> completeDownTo() {
            if (full) {
                return Optional.of(jobs.get(jobs.size() - 1).position());
            }
            return cut;
        }
    }

    /** Who drives a KB after a sweep: this coordinator (already, or just claimed), another one, or nobody. */
    public enum DriverStatus {
        MINE,
        CLAIMED,
        OTHER,
        NONE
    }

    /**
     * One periodic pass: driver status, the queue's length after it, dropped dead waiters, the grant it ended (expired
     * or past its maximum hold) and what it granted then or after dropping waiters, the grant of an agent task it failed
     * because no known worker runs agents ({@code stranded}: the task failed NO_AGENT_WORKER, the next ticket granted),
     * the fencing token of the grant live after it ({@code fence}, 0: none),
     * records deleted after retention,
     * whether a live job grant waits for a worker ({@code unclaimed}: it must be dispatchable), and for a resting KB
     * ({@code restFor}: quiet, with no ticket, grant or waiter, or held by a grant) how long it needs no pass unless
     * something happens to it: until its grant expires, its first waiter's keep-alive lapses, its next record passes
     * its retention or its next webhook falls due; {@link #QUIET_MAX} at most for a quiet KB, {@link #BUSY_MAX} for one
     * held by a grant.
     */
    public record Sweep(
            DriverStatus driver,
            int queueLength,
            List<String> dropped,
            Optional<Ended> ended,
            GrantResult next,
            Optional<Ended> stranded,
            long fence,
            int purged,
            Optional<Ready> unclaimed,
            boolean granted,
            Optional<Duration> restFor) {
        /** The longest a quiet KB goes unswept: a change announced elsewhere but not heard here is seen by then. */
        public static final Duration QUIET_MAX = Duration.ofSeconds(5);

        /**
         * The longest a KB held by a grant goes unswept. A change no coordinator announced (its coordinator died first)
         * is seen by then: a job granted next but not dispatched, or a grant whose {@code kbsync:ready} entry was lost
         * with a poll that took it and died before claiming, is made dispatchable again within this. It is also half the
         * shortest driver key TTL ({@code 2 x lock.watchdogSeconds}, at least 2 s): the driver key is renewed in time.
         */
        public static final Duration BUSY_MAX = Duration.ofSeconds(1);
    }
}
