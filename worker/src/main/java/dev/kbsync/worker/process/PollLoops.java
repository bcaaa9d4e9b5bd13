package dev.kbsync.worker.process;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker's poll loops ({@link PollSlot}) on their own daemon threads: {@code concurrency} of them poll. A loop whose
 * job waits for a remote that cannot be reached for now hands its polling to a new loop ({@link #handOver}) and ends
 * with its job, so jobs waiting on a down git host do not count against {@code concurrency}: other KBs keep every
 * slot. At most {@link #WAITING_PER_SLOT} x {@code concurrency} jobs wait so at once (and no more loops in all than a
 * presence reports, {@link Presence#MAX_SLOTS}); past that a waiting job keeps its slot, as any running job does.
 */
final class PollLoops {
    /** How many jobs may wait for their remote outside the poll slots, per slot. */
    static final int WAITING_PER_SLOT = 4;

    private final SlotContext context;
    private final int concurrency;
    private final int maxWaiting;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ThreadPoolExecutor threads;

    PollLoops(SlotContext context, int concurrency) {
        this.context = context;
        this.concurrency = concurrency;
        this.maxWaiting = maxWaiting(concurrency);
        int most = concurrency + maxWaiting;
        this.threads = new ThreadPoolExecutor(
                most, most, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), new SlotThreads(context.workerId()));
        threads.allowCoreThreadTimeOut(true); // the thread of a loop that ended does not stay
    }

    /** Most jobs waiting for their remote outside the poll slots, for {@code concurrency} slots. */
    static int maxWaiting(int concurrency) {
        return Math.max(0, Math.min(WAITING_PER_SLOT * concurrency, Presence.MAX_SLOTS - concurrency));
    }

    /** Starts the {@code concurrency} poll loops. */
    void start() {
        for (int i = 0; i < concurrency; i++) {
            launch();
        }
    }

    /**
     * Starts a loop that polls in place of one whose job waits for its remote; true if it did: the caller's loop then
     * ends with its job ({@link #waitEnded}). False while {@code maxWaiting} jobs wait so already, or once the worker
     * stops: the caller keeps its slot.
     */
    boolean handOver() {
        if (context.stopping().get()) {
            return false;
        }
        if (waiting.incrementAndGet() > maxWaiting) {
            waiting.decrementAndGet();
            return false;
        }
        if (launch()) {
            return true;
        }
        waiting.decrementAndGet();
        return false;
    }

    /** A job whose loop handed its polling over ended; its loop ends now. */
    void waitEnded() {
        waiting.decrementAndGet();
    }

    /** The jobs waiting for their remote outside the poll slots now. */
    int waiting() {
        return waiting.get();
    }

    int maxWaiting() {
        return maxWaiting;
    }

    /** No new loops; the running ones end once they see the worker stopping. */
    void shutdown() {
        threads.shutdown();
    }

    /** Whether every loop ended within {@code wait} (after {@link #shutdown}). */
    boolean awaitEnd(Duration wait) {
        try {
            return threads.awaitTermination(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return threads.isTerminated();
        }
    }

    /** The loops still running (polling, or running a job). */
    int running() {
        return threads.getActiveCount();
    }

    private boolean launch() {
        Optional<Seat> seat = context.presence().join();
        if (seat.isEmpty()) {
            return false;
        }
        try {
            threads.execute(new PollSlot(context, this, seat.get()));
            return true;
        } catch (RejectedExecutionException stopping) {
            context.presence().leave(seat.get());
            return false;
        }
    }
}
