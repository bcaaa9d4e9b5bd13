package dev.kbsync.worker.process;

import dev.kbsync.api.Assignment;
import dev.kbsync.worker.client.CoordinatorClient;
import dev.kbsync.worker.client.CoordinatorException;
import dev.kbsync.worker.client.RetryPolicy;
import dev.kbsync.worker.fallback.ModeTracker;
import dev.kbsync.worker.run.JobRunner;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One poll-and-run loop on a dedicated thread: long-poll for a job, run it to the end, repeat until stopped. */
final class PollSlot implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(PollSlot.class);

    private final String workerId;
    private final Duration pollWait;
    private final CoordinatorClient client;
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
            CoordinatorClient client,
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
            try {
                Optional<Assignment> assignment = client.poll(workerId, pollWait)
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get();
                modes.reachable();
                failures = 0;
                assignment.ifPresent(this::runJob);
            } catch (ExecutionException e) {
                failures++;
                pollFailed(e.getCause(), failures);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
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

    private void pollFailed(Throwable cause, int failures) {
        if (cause instanceof CoordinatorException.Unreachable) {
            modes.unreachable(cause.getMessage());
        } else {
            log.error("poll refused: {}", cause.getMessage());
        }
        try {
            Thread.sleep(backoff.delay(failures).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
