package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.redis.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The journal's jobs handed to this coordinator's own workers while Redis is unreachable: per KB one at a time, in
 * journal order (the local queue), each under a local lease ({@code <job id>.0.<nonce>}: fencing token 0, no Redis
 * fence exists meanwhile) that lapses after the maximum hold, when the job is handed out again. Exactly once rests on
 * the never-forced push and the {@code Kbsync-Job} trailer: every journal job is restored into Redis when Redis returns
 * and runs there again, finding its commit by the trailer if it landed meanwhile. Thread-safe.
 */
final class LocalDispatch {
    private final Duration hold;
    private final Map<KbId, KbConfig> kbs;
    private final Map<String, Slot> jobs = new LinkedHashMap<>(); // guarded by this, in journal order

    private static final class Slot {
        private final Job job;
        private JobState state = JobState.QUEUED;
        private String leaseId;
        private Lease lease;
        private long deadlineNanos;

        Slot(Job job) {
            this.job = job;
        }
    }

    LocalDispatch(Duration hold, Map<KbId, KbConfig> kbs) {
        this.hold = hold;
        this.kbs = kbs;
    }

    synchronized void add(Job job) {
        jobs.putIfAbsent(job.id(), new Slot(job));
    }

    /** The job is in Redis now: it is dispatched from there. */
    synchronized void remove(String jobId) {
        jobs.remove(jobId);
    }

    /** The first queued job of a KB with no job under way (or whose lease lapsed), under a new local lease. */
    synchronized Optional<Assignment> next(String worker) {
        long now = System.nanoTime();
        Set<KbId> busy = new HashSet<>();
        for (Slot slot : jobs.values()) {
            KbId kb = slot.job.kb();
            if (slot.state.terminal() || busy.contains(kb)) {
                continue;
            }
            busy.add(kb);
            KbConfig config = kbs.get(kb);
            if (config == null || (slot.state == JobState.RUNNING && slot.deadlineNanos - now > 0)) {
                continue;
            }
            slot.state = JobState.RUNNING;
            slot.leaseId = slot.job.id() + ".0." + Ids.nonce();
            slot.deadlineNanos = now + hold.toNanos();
            Instant at = Instant.now();
            Lease lease = new Lease(
                    slot.leaseId,
                    kb,
                    worker,
                    LeaseState.GRANTED,
                    0,
                    0L,
                    slot.job.id(),
                    at,
                    at.plus(hold),
                    at.plus(hold),
                    hold.toMillis());
            slot.lease = lease;
            return Optional.of(new Assignment(lease, slot.job.at(JobState.RUNNING, 0, 0, 0), config));
        }
        return Optional.empty();
    }

    /** The local lease {@code leaseId} while its job runs (a heartbeat keeps nothing: the lease lasts the hold). */
    synchronized Optional<Lease> lease(String leaseId) {
        return jobs.values().stream()
                .filter(slot -> slot.state == JobState.RUNNING && leaseId.equals(slot.leaseId))
                .map(slot -> slot.lease)
                .findFirst();
    }

    /** Records a local job's outcome reported under its current local lease; empty for any other job or lease. */
    synchronized Optional<Job> complete(String jobId, JobOutcome outcome) {
        Slot slot = jobs.get(jobId);
        if (slot == null || slot.state != JobState.RUNNING || !outcome.leaseId().equals(slot.leaseId)) {
            return Optional.empty();
        }
        slot.state = outcome instanceof JobOutcome.Done ? JobState.DONE : JobState.FAILED;
        return Optional.of(slot.job.at(slot.state, 0, 0, 0));
    }
}
