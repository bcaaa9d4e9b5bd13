package dev.kbsync.worker.fallback;

import dev.kbsync.api.Job;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.client.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
    /**
     * Delivers the members of group commits side by side; daemon threads, one per member under way (the client's
     * connections bound the requests in flight). Not a fixed few: a delivery may wait as long as Redis is down (it is
     * retried until the coordinator takes it), and a batch in flight then must not hold up the results of the cycles a
     * degraded coordinator hands out meanwhile.
     */
    private static final ExecutorService PARALLEL = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "kbsync-result-delivery");
        thread.setDaemon(true);
        return thread;
    });

    /** Delivers a cycle's results once its slot stopped waiting for them (see {@link #deliverCycle}). */
    private static final ExecutorService CYCLES = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "kbsync-result-cycle");
        thread.setDaemon(true);
        return thread;
    });

    private static final long WAIT_STEP_MS = 100;

    private final AtomicInteger pending = new AtomicInteger();
    /** Cycles whose delivery is under way (their results are counted in {@link #pending} once each is attempted). */
    private final AtomicInteger cycles = new AtomicInteger();
    /** The jobs whose results are counted in {@link #pending} or wait in a cycle under way: what a cut stop names. */
    private final Set<String> undelivered = ConcurrentHashMap.newKeySet();

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
        undelivered.add(report.jobId());
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
                } catch (RuntimeException e) { // answered, but the answer is not one this worker can read
                    modes.reachable();
                    log.warn(
                            "the coordinator's answer to the result of job {} could not be read ({}); not sent again",
                            report.jobId(),
                            e.toString());
                    return;
                }
            }
        } finally {
            undelivered.remove(report.jobId());
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

    /**
     * Delivers a cycle's results: {@code members} side by side ({@link #deliverAll}), then {@code head} (its report
     * ends the grant), calling {@code reported} after each. Returns once all were accepted or definitively refused,
     * or as soon as the coordinator is unreachable (a coordinator without Redis answers 503): the rest is then
     * delivered in the background, in the same order, and the caller's slot can poll again meanwhile (a degraded
     * coordinator hands it the jobs it journals during the outage).
     */
    public void deliverCycle(List<JobReport> members, JobReport head, Consumer<JobReport> reported) {
        cycles.incrementAndGet(); // counted from now, before the background thread starts
        members.forEach(r -> undelivered.add(r.jobId()));
        undelivered.add(head.jobId());
        Future<?> delivery = CYCLES.submit(() -> {
            try {
                deliverAll(members);
                members.forEach(reported);
                deliver(head);
                reported.accept(head);
            } finally {
                cycles.decrementAndGet();
            }
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    delivery.get(WAIT_STEP_MS, TimeUnit.MILLISECONDS);
                    return;
                } catch (TimeoutException e) {
                    if (modes.degraded()) {
                        log.info(
                                "coordinator unreachable: the result of job {} (and {} taken along) is delivered in"
                                        + " the background",
                                head.jobId(),
                                members.size());
                        return;
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // delivery goes on; the flag is kept for the caller
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits up to {@code wait} for every result under way to be delivered; whether none is left. */
    public boolean awaitDelivered(Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        while (underWay() && System.nanoTime() < deadline) {
            if (sleep(Duration.ofMillis(WAIT_STEP_MS))) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return !underWay();
    }

    private boolean underWay() {
        return pending.get() > 0 || cycles.get() > 0;
    }

    /** Results not yet delivered. */
    public int pending() {
        return pending.get();
    }

    /** The jobs whose results are not delivered yet, sorted. */
    public List<String> undelivered() {
        return undelivered.stream().sorted().toList();
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
