package dev.kbsync.worker.process;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.run.JobRunner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One poll-and-run loop on a dedicated thread: long-poll for a job, run it to the end, repeat until stopped. */
final class PollSlot implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollSlot.class);

    private final String workerId;
    private final Duration pollWait;
    private final KbsyncClient client;
    private final ModeTracker modes;
    private final JobRunner runner;
    private final WorkerMetrics metrics;
    private final AtomicBoolean stopping;
    private final AtomicBoolean abandoning;
    private final AtomicInteger active;
    private final RetryPolicy backoff =
            new RetryPolicy(Integer.MAX_VALUE, Duration.ofMillis(250), Duration.ofSeconds(5));

    PollSlot(
            String workerId,
            Duration pollWait,
            KbsyncClient client,
            ModeTracker modes,
            JobRunner runner,
            WorkerMetrics metrics,
            AtomicBoolean stopping,
            AtomicBoolean abandoning,
            AtomicInteger active) {
        this.workerId = workerId;
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
        while (!stopping.get() && !Thread.currentThread().isInterrupted()) {
            Optional<Assignment> assignment;
            try {
                assignment = client.poll(workerId, pollWait);
                modes.reachable();
                failures = 0;
            } catch (KbsyncException.Interrupted e) {
                return;
            } catch (RuntimeException e) { // refused, unavailable, or an answer this worker cannot read
                failures++;
                pollFailed(e, failures);
                continue;
            }
            assignment.ifPresent(this::runJob);
        }
    }

    private void runJob(Assignment assignment) {
        active.incrementAndGet();
        try {
            runner.run(assignment, abandoning::get).forEach(metrics::reported);
        } finally {
            active.decrementAndGet();
        }
    }

    private void pollFailed(RuntimeException cause, int failures) {
        if (cause instanceof KbsyncException.Unavailable) {
            modes.unreachable(cause.getMessage());
        } else {
            log.error("poll failed: {}", cause.toString());
        }
        try {
            Thread.sleep(backoff.delay(failures).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
