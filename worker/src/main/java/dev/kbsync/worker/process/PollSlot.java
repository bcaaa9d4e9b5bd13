package dev.kbsync.worker.process;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.run.JobRunner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll-and-run loop on a dedicated thread: long-poll for a job (the poll carries the worker's presence), run it to
 * the end, repeat until stopped. A job that a poll in flight when the stop began brings is given back to the
 * coordinator, not run. Keeps its slot's part of the {@link Presence} true. Does not poll while the cache disk is too
 * full ({@link CacheGuard}).
 */
final class PollSlot implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollSlot.class);
    /** How often a slot that takes no jobs for a full cache disk looks again. */
    private static final Duration CACHE_RECHECK = Duration.ofSeconds(1);

    private final String workerId;
    private final int slot;
    private final Duration pollWait;
    private final KbsyncClient client;
    private final ModeTracker modes;
    private final JobRunner runner;
    private final WorkerMetrics metrics;
    private final AtomicBoolean stopping;
    private final AtomicBoolean abandoning;
    private final AtomicInteger active;
    private final Presence presence;
    private final PresenceRenewer renewer;
    private final CacheGuard cache;
    private final RetryPolicy backoff =
            new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(250), Duration.ofSeconds(5));

    PollSlot(
            String workerId,
            int slot,
            Duration pollWait,
            KbsyncClient client,
            ModeTracker modes,
            JobRunner runner,
            WorkerMetrics metrics,
            AtomicBoolean stopping,
            AtomicBoolean abandoning,
            AtomicInteger active,
            Presence presence,
            PresenceRenewer renewer,
            CacheGuard cache) {
        this.workerId = workerId;
        this.cache = cache;
        this.slot = slot;
        this.presence = presence;
        this.renewer = renewer;
        this.pollWait = pollWait;
        this.client = client;
        this.modes = modes;
        this.runner = runner;
        this.metrics = metrics;
        this.stopping = stopping;
        this.abandoning = abandoning;
        this.active = active;
    }

    @Override
    public void run() {
        int failures = 0;
        boolean followedMove = false;
        while (!stopping.get() && !Thread.currentThread().isInterrupted()) {
            if (cacheFull()) {
                continue;
            }
            Optional<Assignment> assignment;
            presence.polling(slot);
            long moves = client.coordinatorMoves();
            try {
                renewer.carried();
                assignment = client.poll(workerId, pollWait, presence.snapshot());
                modes.reachable();
                failures = 0;
                followedMove = false;
            } catch (KbsyncException.Interrupted e) {
                presence.away(slot);
                return;
            } catch (RuntimeException e) { // refused, unavailable, or an answer this worker cannot read
                presence.away(slot);
                if (e instanceof KbsyncException.Unavailable && !followedMove && client.coordinatorMoves() != moves) {
                    // the poll was cut by its coordinator going away: poll the next one at once, not degraded
                    followedMove = true;
                    log.info("poll cut ({}); polling coordinator {} now", e.getMessage(), client.coordinator());
                    continue;
                }
                failures++;
                pollFailed(e, failures);
                continue;
            }
            if (assignment.isPresent() && stopping.get() && givenBack(assignment.get())) {
                continue; // a poll in flight when the stop began: not this worker's to start now
            }
            assignment.ifPresent(this::runJob);
        }

        presence.away(slot);
    }

    /** True, after a pause, while the cache disk has too little space to take a job (not polling meanwhile). */
    private boolean cacheFull() {
        if (cache.refusal().isEmpty()) {
            return false;
        }
        presence.away(slot);
        pause(CACHE_RECHECK);
        return true;
    }

    private void runJob(Assignment assignment) {
        active.incrementAndGet();
        presence.running(slot, assignment);
        renewer.now();
        String commit = null;
        try {
            for (JobReport report : runner.run(assignment, abandoning::get)) {
                metrics.reported(report);
                if (report.outcome() instanceof JobOutcome.Done done && done.commit() != null) {
                    commit = done.commit();
                }
            }
        } catch (RuntimeException e) { // a bug must not end the slot: its job's grant lapses, the slot polls on
            log.error(
                    "job {} ended with an unexpected error; polling on",
                    assignment.job().id(),
                    e);
        } finally {
            presence.finished(slot, assignment.kb().id(), commit);
            active.decrementAndGet();
        }
    }

    /**
     * Gives back a job the poll brought after the worker began to stop, without running it: the coordinator offers it
     * again at once with its attempt returned. True when it is not this worker's to run any more (given back, or its
     * grant ended or changed hands); false when the give-back failed: the job is then run within the stop's grace, as
     * it was before (past the grace it is stopped before its push), rather than left to lapse with an attempt counted.
     */
    private boolean givenBack(Assignment assignment) {
        String jobId = assignment.job().id();
        String leaseId = assignment.lease().id();
        try {
            if (client.giveBack(workerId, leaseId)) {
                log.info("stopping: gave job {} (lease {}) back unrun; it is offered again", jobId, leaseId);
            } else {
                log.warn(
                        "stopping: job {} (lease {}) was not taken back (its grant ended, changed hands, or is a local"
                                + " lease of degraded mode); not run",
                        jobId,
                        leaseId);
            }
            return true;
        } catch (RuntimeException e) {
            log.warn("stopping: could not give job {} (lease {}) back ({}); running it", jobId, leaseId, e.toString());
            return false;
        }
    }

    private void pollFailed(RuntimeException cause, int failures) {
        if (cause instanceof KbsyncException.Unavailable) {
            modes.unreachable(cause.getMessage());
        } else {
            log.error("poll failed: {}", cause.toString());
        }
        pause(backoff.delay(failures));
    }

    private static void pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
