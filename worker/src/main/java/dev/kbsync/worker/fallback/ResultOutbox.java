package dev.kbsync.worker.fallback;

import dev.kbsync.api.Job;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers job results; while the coordinator is unreachable it keeps retrying with backoff (capped) and never drops a
 * result. A result refused because the lease is gone is logged: the job already runs elsewhere and the exactly-once
 * check there finds this worker's commit.
 */
public final class ResultOutbox {
    private static final Logger log = LoggerFactory.getLogger(ResultOutbox.class);

    private final KbsyncClient client;
    private final ModeTracker modes;
    private final RetryPolicy backoff;
    /** Delivers the members of group commits side by side; daemon threads, at most the client's 8 connections. */
    private static final ExecutorService PARALLEL = Executors.newFixedThreadPool(8, r -> {
        Thread thread = new Thread(r, "kbsync-result-delivery");
        thread.setDaemon(true);
        return thread;
    });

    private final AtomicInteger pending = new AtomicInteger();

    public ResultOutbox(KbsyncClient client, ModeTracker modes, RetryPolicy backoff) {
        this.client = client;
        this.modes = modes;
        this.backoff = backoff;
    }

    /**
     * Delivers {@code report}; returns once the coordinator accepted or definitively refused it. Blocks (on the job's
     * thread); an interrupt does not stop the delivery, it is kept for the caller.
     */
    public void deliver(JobReport report) {
        pending.incrementAndGet();
        boolean interrupted = false;
        try {
            boolean followedMove = false;
            for (int attempt = 1; ; attempt++) {
                long moves = client.coordinatorMoves();
                try {
                    Job job = client.reportResult(report.jobId(), report.outcome());
                    modes.reachable();
                    logDelivered(report, job);
                    return;
                } catch (KbsyncException.Unavailable e) {
                    if (!followedMove && client.coordinatorMoves() != moves) {
                        // cut by its coordinator going away: deliver to the next one at once, not degraded
                        followedMove = true;
                        log.info(
                                "result of job {} cut ({}); delivering to coordinator {} now",
                                report.jobId(),
                                e.getMessage(),
                                client.coordinator());
                        continue;
                    }
                    modes.unreachable(e.getMessage());
                    Duration delay = backoff.delay(attempt);
                    log.info("result of job {} not delivered yet; retry in {} ms", report.jobId(), delay.toMillis());
                    interrupted |= sleep(delay);
                } catch (KbsyncException.Interrupted e) {
                    interrupted |= Thread.interrupted();
                } catch (KbsyncException.Rejected e) {
                    modes.reachable();
                    log.warn("coordinator refused the result of job {}: {}", report.jobId(), e.getMessage());
                    return;
                }
            }
        } finally {
            pending.decrementAndGet();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Delivers {@code reports} side by side (each as {@link #deliver} does, over the client's pooled connections) and
     * returns once every one was accepted or definitively refused. For the members of a group commit: each outcome is
     * still recorded on its own, under its own lease, in one step; only the round trips overlap.
     */
    public void deliverAll(List<JobReport> reports) {
        if (reports.size() <= 1) {
            reports.forEach(this::deliver);
            return;
        }
        List<Future<?>> running = new ArrayList<>();
        reports.forEach(r -> running.add(PARALLEL.submit(() -> deliver(r))));
        boolean interrupted = false;
        for (Future<?> delivery : running) {
            while (true) {
                try {
                    delivery.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // delivery goes on; the flag is kept for the caller
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Results not yet delivered. */
    public int pending() {
        return pending.get();
    }

    /** Sleeps {@code delay}; true if interrupted (the flag is cleared so that delivery goes on). */
    private static boolean sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private static void logDelivered(JobReport report, Job job) {
        log.info(
                "reported job {} as {} (coordinator state {})",
                report.jobId(),
                report.done() ? "done" : "failed",
                job.state().wire());
    }
}
