package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.redis.Ids;
import dev.kbsync.coordinator.service.Restoration;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The journal's jobs handed to this coordinator's own workers while Redis is unreachable: per KB one at a time, in
 * journal order (the local queue), each under a local lease ({@code <job id>.<token>.<nonce>}) whose fencing token is
 * the KB's next {@link LocalFences} token, so the worker's fence check holds as under Redis grants. A lease lapses after
 * the maximum hold without an outcome and its job is handed out again. A run refused at its push ({@code STALE_FENCE}:
 * another coordinator's degraded run fenced the branch higher; {@code PUSH_REJECTED}) goes back to the head of its
 * KB's local queue under a new token; a run that failed otherwise is left to Redis (its job is restored queued and
 * runs there, and the KB's later journal jobs are no longer handed out here: they run in Redis behind it); a run that landed is remembered ({@link #restoration}) and its job restored done. A note job's worker
 * takes the note jobs right behind it in one group commit ({@link #extend}). Thread-safe.
 */
final class LocalDispatch {
    /** Failures of a push refused by the branch, not by the job: the job is handed out again. */
    private static final Set<String> REFUSED_PUSH = Set.of("STALE_FENCE", "PUSH_REJECTED");

    private final Duration hold;
    private final Map<KbId, KbConfig> kbs;
    private final LocalFences fences;
    private final Map<String, Slot> jobs = new LinkedHashMap<>(); // guarded by this, in journal order

    private enum State {
        QUEUED,
        RUNNING,
        LANDED,
        LEFT_TO_REDIS
    }

    private static final class Slot {
        private final Job job;
        private State state = State.QUEUED;
        private long firstToken;
        private long token;
        private Lease lease;
        private long deadlineNanos;
        private JobOutcome.Done landed;

        Slot(Job job) {
            this.job = job;
        }
    }

    /** A job handed out: its assignment and the token it runs under (journaled before the worker learns it). */
    record Handout(Assignment assignment, long token) {
        String jobId() {
            return assignment.job().id();
        }
    }

    /** What a worker's outcome did to a local job. */
    sealed interface Recorded {
        /** The job as it stands after the outcome. */
        Job job();
    }

    /** The run landed the job under {@code token}: journal it, then answer. */
    record Landed(Job job, long token, JobOutcome.Done outcome) implements Recorded {}

    /** Nothing to journal: a repeated report, a push refused (handed out again), or a failure left to Redis. */
    record Answered(Job job) implements Recorded {}

    LocalDispatch(Duration hold, Map<KbId, KbConfig> kbs, LocalFences fences) {
        this.hold = hold;
        this.kbs = kbs;
        this.fences = fences;
    }

    synchronized void add(Job job) {
        jobs.putIfAbsent(job.id(), new Slot(job));
    }

    /** Replays a hand-out read back from the journal: the job's first token, unless it had one. */
    synchronized void handed(String jobId, KbId kb, long token) {
        fences.seen(kb, token);
        Slot slot = jobs.get(jobId);
        if (slot != null && slot.firstToken == 0) {
            slot.firstToken = token;
        }
    }

    /** Replays a landing read back from the journal. */
    synchronized void landed(String jobId, long token, JobOutcome.Done outcome) {
        Slot slot = jobs.get(jobId);
        if (slot != null) {
            slot.state = State.LANDED;
            slot.token = token;
            slot.landed = outcome;
            slot.firstToken = slot.firstToken == 0 ? token : slot.firstToken;
        }
    }

    /**
     * The job is in Redis now: it is dispatched from there (its local lease, if any, is lost). False when it was not
     * here (removed already).
     */
    synchronized boolean remove(String jobId) {
        return jobs.remove(jobId) != null;
    }

    /** How to restore the job into Redis: queued (down to its first token), or done by the run that landed it. */
    synchronized Restoration restoration(String jobId) {
        Slot slot = jobs.get(jobId);
        if (slot == null || slot.firstToken == 0) {
            return Restoration.queued();
        }
        return slot.state == State.LANDED
                ? Restoration.landed(slot.firstToken, slot.landed, slot.token)
                : Restoration.handedOut(slot.firstToken);
    }

    /**
     * A journal job as a reader sees it while it is here: queued with the KB's local jobs before it still to run as
     * {@code ahead}, running under a local lease, or done by the run that landed it.
     */
    synchronized Optional<Job> view(String jobId) {
        Slot slot = jobs.get(jobId);
        if (slot == null) {
            return Optional.empty();
        }
        return Optional.of(
                switch (slot.state) {
                    case RUNNING -> job(slot, JobState.RUNNING, slot.lease.grantedAt(), null);
                    case LANDED -> job(slot, JobState.DONE, null, slot.landed);
                    case QUEUED, LEFT_TO_REDIS ->
                        job(slot, JobState.QUEUED, null, null).at(JobState.QUEUED, ahead(slot), 0, 0);
                });
    }

    /** The KB's jobs before {@code slot} in the local queue that have still to run. */
    private long ahead(Slot slot) {
        long ahead = 0;
        for (Slot before : jobs.values()) {
            if (before == slot) {
                break;
            }
            if (before.job.kb().equals(slot.job.kb()) && before.state != State.LANDED) {
                ahead++;
            }
        }
        return ahead;
    }

    /**
     * The first queued job of a KB with no job under way (or whose lease lapsed), under a new local lease; only a job of
     * one of {@code kinds} (what the worker runs): a KB whose next job is of another kind waits for another worker. A KB
     * with a job left to Redis hands out none of its later jobs: they wait for Redis behind it, in their order.
     */
    synchronized Optional<Handout> next(String worker, Set<JobKind> kinds) {
        long now = System.nanoTime();
        Set<KbId> busy = new HashSet<>();
        for (Slot slot : jobs.values()) {
            KbId kb = slot.job.kb();
            if (slot.state == State.LANDED || !busy.add(kb)) {
                continue;
            }
            KbConfig config = kbs.get(kb);
            if (config == null
                    || slot.state == State.LEFT_TO_REDIS // the KB's later jobs wait for Redis behind it
                    || (slot.state == State.RUNNING && slot.deadlineNanos - now > 0)
                    || !kinds.contains(slot.job.kind())) {
                continue;
            }
            return Optional.of(grant(slot, worker, config, now + hold.toNanos()));
        }
        return Optional.empty();
    }

    /** Hands {@code slot} to {@code worker} under the KB's next token until {@code deadlineNanos}. */
    private Handout grant(Slot slot, String worker, KbConfig config, long deadlineNanos) {
        long token = fences.next(slot.job.kb());
        slot.state = State.RUNNING;
        slot.token = token;
        slot.firstToken = slot.firstToken == 0 ? token : slot.firstToken;
        slot.deadlineNanos = deadlineNanos;
        Instant at = Instant.now();
        Instant until = at.plusNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        slot.lease = new Lease(
                slot.job.id() + "." + token + "." + Ids.nonce(),
                slot.job.kb(),
                worker,
                LeaseState.GRANTED,
                0,
                token,
                slot.job.id(),
                at,
                until,
                until,
                hold.toMillis());
        return new Handout(new Assignment(slot.lease, job(slot, JobState.RUNNING, at, null), config), token);
    }

    /**
     * Group commit under the local lease {@code leaseId} of a running note job: up to {@code max} queued note jobs of
     * its KB right behind it (contiguous in the local queue, stopping at an agent job or a job not queued), each under a
     * local lease of its own with the KB's next token, all within the head's hold.
     */
    synchronized List<Handout> extend(String leaseId, int max) {
        Slot head = jobs.values().stream()
                .filter(slot -> slot.state == State.RUNNING && leaseId.equals(slot.lease.id()))
                .findFirst()
                .orElse(null);
        List<Handout> members = new ArrayList<>();
        if (head == null || head.job.kind() != JobKind.NOTE) {
            return members;
        }
        boolean behind = false;
        for (Slot slot : jobs.values()) {
            if (members.size() >= max) {
                break;
            }
            if (slot == head) {
                behind = true;
            } else if (behind && slot.job.kb().equals(head.job.kb()) && slot.state != State.LANDED) {
                if (slot.state != State.QUEUED || slot.job.kind() != JobKind.NOTE) {
                    break;
                }
                members.add(grant(slot, head.lease.holder(), kbs.get(slot.job.kb()), head.deadlineNanos));
            }
        }
        return members;
    }

    /** A hand-out that could not be journaled: the job is queued again (its worker never learns the lease). */
    synchronized void withdraw(Handout handout) {
        Slot slot = jobs.get(handout.jobId());
        if (slot != null && slot.state == State.RUNNING && slot.token == handout.token()) {
            slot.state = State.QUEUED;
            slot.lease = null;
        }
    }

    /**
     * A hand-out its worker never learned (its poll's connection closed): the job is queued again at its place, its
     * journaled token kept as its first; false when the lease {@code leaseId} no longer runs the job.
     */
    synchronized boolean giveBack(String jobId, String leaseId) {
        Slot slot = jobs.get(jobId);
        if (slot == null || slot.state != State.RUNNING || !leaseId.equals(slot.lease.id())) {
            return false;
        }
        slot.state = State.QUEUED;
        slot.lease = null;
        return true;
    }

    /** The local lease {@code leaseId} while its job runs (a heartbeat keeps nothing: the lease lasts the hold). */
    synchronized Optional<Lease> lease(String leaseId) {
        return jobs.values().stream()
                .filter(slot -> slot.state == State.RUNNING && leaseId.equals(slot.lease.id()))
                .map(slot -> slot.lease)
                .findFirst();
    }

    /**
     * Records a local job's outcome reported under its current local lease (or repeated for a job it landed); empty
     * for any other job or lease.
     */
    synchronized Optional<Recorded> complete(String jobId, JobOutcome outcome) {
        Slot slot = jobs.get(jobId);
        if (slot == null || slot.lease == null || !outcome.leaseId().equals(slot.lease.id())) {
            return Optional.empty();
        }
        if (slot.state == State.LANDED) {
            return Optional.of(new Answered(job(slot, JobState.DONE, slot.lease.grantedAt(), slot.landed)));
        }
        if (slot.state != State.RUNNING) {
            return Optional.empty();
        }
        if (outcome instanceof JobOutcome.Done done) {
            slot.state = State.LANDED;
            slot.landed = done;
            return Optional.of(new Landed(job(slot, JobState.DONE, slot.lease.grantedAt(), done), slot.token, done));
        }
        JobOutcome.Failed failed = (JobOutcome.Failed) outcome;
        slot.state = REFUSED_PUSH.contains(failed.error().code()) ? State.QUEUED : State.LEFT_TO_REDIS;
        return Optional.of(new Answered(job(slot, JobState.QUEUED, null, null)));
    }

    /** The job as a worker or a reader sees it: its state, its local tokens, and the outcome of a run that landed it. */
    private static Job job(Slot slot, JobState state, Instant started, JobOutcome.Done done) {
        Job j = slot.job;
        return new Job(
                j.id(),
                j.kb(),
                j.user(),
                j.payload(),
                state,
                0,
                0,
                0,
                slot.token == 0 ? null : slot.token,
                slot.firstToken == 0 ? null : slot.firstToken,
                done == null ? null : done.commit(),
                done == null ? null : done.commitUrl(),
                done == null ? null : done.files(),
                done == null ? null : done.result(),
                null,
                0,
                j.createdAt(),
                started,
                done == null ? null : Instant.now(),
                j.retryOf(),
                null, // degraded mode keeps nothing of what a worker says it is doing
                j.retryChain());
    }
}
