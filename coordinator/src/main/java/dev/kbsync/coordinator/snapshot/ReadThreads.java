package dev.kbsync.coordinator.snapshot;

import dev.kbsync.api.ErrorCodes;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.UnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Where {@link KbMirrors}' reads run: at most {@code max} at once, at most {@code perKb} of them of one KB ({@link
 * Lanes}), so that one KB's slow reads (log walks of a long history) hold their KB's share and the other KBs' reads go
 * on. A read waits for a thread only while all are busy or its KB's share is, and only until {@code pastWait} after its
 * own wait (for a fetch, for a commit) ends: then it fails with {@link UnavailableException} {@code READS_BUSY} and
 * never runs. That comes before the request's bound (4 s past the same wait), so a read of a busy KB is not answered
 * REDIS_UNAVAILABLE while Redis answers. A read that cannot run because the threads are shut (the coordinator stops)
 * fails at once with {@code COORDINATOR_STOPPING}.
 */
final class ReadThreads {
    private static final Duration RETRY_BUSY = Duration.ofSeconds(1);
    private static final Duration RETRY_STOPPING = Duration.ofSeconds(1);

    private final Lanes lanes;
    private final long pastWaitNanos;

    ReadThreads(ExecutorService threads, int max, int perKb, Duration pastWait) {
        this.lanes = new Lanes(threads, max, perKb);
        this.pastWaitNanos = pastWait.toNanos();
    }

    /**
     * Runs {@code read} (of {@code kb}) on a read thread, if one of its KB's share is free by {@code pastWait} after
     * {@code deadline} (the end of the read's wait, in {@link System#nanoTime()}); its result, or {@code READS_BUSY}.
     */
    <T> CompletableFuture<T> run(KbId kb, long deadline, Supplier<T> read) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = () -> {
            try {
                result.complete(read.get());
            } catch (Throwable e) { // as supplyAsync: an Error fails the read, not the thread
                result.completeExceptionally(e);
            }
        };
        if (lanes.execute(kb.value(), task, () -> result.completeExceptionally(stopping()))) {
            long left = Math.max(0, deadline + pastWaitNanos - System.nanoTime());
            CompletableFuture.delayedExecutor(left, TimeUnit.NANOSECONDS).execute(() -> {
                if (lanes.withdraw(task)) {
                    result.completeExceptionally(busy(kb));
                }
            });
        }
        return result;
    }

    /** What a read that cannot run because the coordinator stops is answered: 503 COORDINATOR_STOPPING. */
    static UnavailableException stopping() {
        return new UnavailableException(
                ErrorCodes.COORDINATOR_STOPPING,
                "the coordinator is stopping: its read threads are shut; retry (another one)",
                RETRY_STOPPING);
    }

    private static UnavailableException busy(KbId kb) {
        return new UnavailableException(
                "READS_BUSY",
                "the coordinator's reads are busy: this read of KB " + kb.value()
                        + " found no read thread free in time (all of them busy, or the KB's share); retry later",
                RETRY_BUSY);
    }
}
