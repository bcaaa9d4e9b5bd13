package dev.kbsync.worker.process;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One poll-and-run loop on a dedicated thread: long-poll for a job (the poll carries the worker's presence), run it to
 * the end, repeat until stopped. A job that a poll in flight when the stop began brings is given back to the
 * coordinator, not run. Keeps its slot's part of the {@link Presence} true. Does not poll while the cache disk is too
 * full ({@link CacheGuard}). A job that waits for an unreachable remote hands the polling to a new loop
 * ({@link PollLoops#handOver}); this loop then ends with that job.
 */
final class PollSlot implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollSlot.class);
    /** How often a slot that takes no jobs for a full cache disk looks again. */
    private static final Duration CACHE_RECHECK = Duration.ofSeconds(1);

    private final SlotContext shared;
    private final PollLoops loops;
    private final Seat seat;
    private final RetryPolicy backoff =
            new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(250), Duration.ofSeconds(5));
    /** Whether this loop's job waits for its remote while another loop polls in its place: it ends with the job. */
    private boolean handedOver;

    PollSlot(SlotContext context, PollLoops loops, Seat seat) {
        this.shared = context;
        this.loops = loops;
        this.seat = seat;
    }

    @Override
    public void run() {
        try {
            loop();
        } finally {
            shared.presence().leave(seat);
        }
    }

    private void loop() {
        int failures = 0;
        boolean followedMove = false;
        while (!handedOver
                && !shared.stopping().get()
                && !Thread.currentThread().isInterrupted()) {
            if (cacheFull()) {
                continue;
            }
            Optional<Assignment> assignment;
            shared.presence().polling(seat);
            long moves = shared.client().coordinatorMoves();
            try {
                shared.renewer().carried();
                assignment = shared.client()
                        .poll(
                                shared.workerId(),
                                shared.pollWait(),
                                shared.presence().snapshot());
                shared.modes().reachable();
                failures = 0;
                followedMove = false;
            } catch (KbsyncException.Interrupted e) {
                return;
            } catch (RuntimeException e) { // refused, unavailable, or an answer this worker cannot read
                shared.presence().away(seat);
                if (e instanceof KbsyncException.Unavailable
                        && !followedMove
                        && shared.client().coordinatorMoves() != moves) {
                    // the poll was cut by its coordinator going away: poll the next one at once, not degraded
                    followedMove = true;
                    log.info(
                            "poll cut ({}); polling coordinator {} now",
                            e.getMessage(),
                            shared.client().coordinator());
                    continue;
                }
                failures++;
                pollFailed(e, failures);
                continue;
            }
            if (assignment.isPresent() && shared.stopping().get() && givenBack(assignment.get())) {
                continue; // a poll in flight when the stop began: not this worker's to start now
            }
            assignment.ifPresent(this::runJob);
        }
    }

    /** True, after a pause, while the cache disk has too little space to take a job (not polling meanwhile). */
    private boolean cacheFull() {
        if (shared.cache().refusal().isEmpty()) {
            return false;
        }
        shared.presence().away(seat);
        pause(CACHE_RECHECK);
        return true;
    }

    private void runJob(Assignment assignment) {
        shared.active().incrementAndGet();
        shared.presence().running(seat, assignment);
        shared.renewer().now();
        AtomicBoolean ended = new AtomicBoolean();
        try {
            shared.runner().run(assignment, shared.abandoning()::get, () -> waiting(assignment), reports -> {
                ended(assignment, reports);
                ended.set(true);
            });
        } catch (VirtualMachineError e) { // out of memory, a stack overflow: this slot cannot go on
            log.error(
                    "job {} ended by {}: its poll loop ({}) ends, and the worker polls with one slot fewer until"
                            + " it restarts",
                    assignment.job().id(),
                    e,
                    Thread.currentThread().getName(),
                    e);
            throw e;
        } catch (Exception | Error e) { // a bug must not end the slot: its job's grant lapses, the slot polls on
            log.error(
                    "job {} ended with an unexpected error; polling on",
                    assignment.job().id(),
                    e);
        } finally {
            if (!ended.get()) {
                ended(assignment, List.of());
            }
            shared.active().decrementAndGet();
            if (handedOver) {
                loops.waitEnded();
            }
        }
    }

    /**
     * The job is over, its lease no longer kept: its reports are counted, and the presence no longer shows it on this
     * slot (while the runner may still maintain its checkout).
     */
    private void ended(Assignment assignment, List<JobReport> reports) {
        String commit = null;
        for (JobReport report : reports) {
            shared.metrics().reported(report);
            if (report.outcome() instanceof JobOutcome.Done done && done.commit() != null) {
                commit = done.commit();
            }
        }
        shared.presence().finished(seat, assignment.kb().id(), commit);
    }

    /**
     * The job pauses for its remote (on this thread): the first time, another loop polls in this one's place, if
     * {@link PollLoops#handOver} allows; this loop ends with the job. Its lease is kept alive meanwhile, as always.
     */
    private void waiting(Assignment assignment) {
        if (handedOver || !loops.handOver()) {
            return;
        }
        handedOver = true;
        shared.renewer().now();
        log.info(
                "job {} waits for its remote; another loop polls in its place ({} of at most {} jobs waiting so)",
                assignment.job().id(),
                loops.waiting(),
                loops.maxWaiting());
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
            if (shared.client().giveBack(shared.workerId(), leaseId)) {
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
            shared.modes().unreachable(cause.getMessage());
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
