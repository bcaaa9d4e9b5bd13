package dev.kbsync.coordinator.snapshot;

import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.snapshot.KbMirrors.SnapshotRead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jgit.lib.ObjectId;

/**
 * {@link KbMirrors}' reads of one mirror, on its KB's share of the read threads ({@link ReadThreads}): served from its
 * snapshot at once, or after a fetch when nobody read it for a while (or no fetch of this process ended yet: a mirror
 * reopened from disk), or once the snapshot holds the commit a read waits for ({@code after}). Each step on a thread
 * waits for one at most until a little after the read's wait ends ({@code READS_BUSY}).
 */
final class MirrorReads {
    private static final Duration RETRY_BEHIND = Duration.ofSeconds(1);
    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(5);
    /**
     * The pause before a waiting {@code ?after=} read fetches again (the commit may be pushed late, or reach the host's
     * replica late), doubled after each fetch that did not bring it, up to {@link #REFETCH_PAUSE_MAX_MS}: a few fetches
     * per wait, never one back to back with the last.
     */
    private static final long REFETCH_PAUSE_MS = 100;

    private static final long REFETCH_PAUSE_MAX_MS = 1_000;

    private final ReadThreads threads;
    private final Duration afterWait;
    private final long refreshNanos;
    private final long idleNanos;

    MirrorReads(ReadThreads threads, Duration afterWait, long refreshNanos, long idleNanos) {
        this.threads = threads;
        this.afterWait = afterWait;
        this.refreshNanos = refreshNanos;
        this.idleNanos = idleNanos;
    }

    /** See {@link KbMirrors#read}; {@code deadline} ({@link System#nanoTime()}) ends its wait. */
    <T> CompletableFuture<T> read(Mirror mirror, Optional<ObjectId> after, long deadline, SnapshotRead<T> read) {
        // a mirror no fetch of this process ended for yet (reopened from disk) counts as idle: fetched before it is
        // served
        boolean wasIdle = !mirror.fetchEnded() || !mirror.readWithin(idleNanos);
        mirror.touch();
        Optional<Snapshot> current = mirror.current();
        if (after.isEmpty() && current.isPresent()) {
            if (!wasIdle || mirror.fetchedWithin(refreshNanos * 2)) {
                return onThread(mirror, deadline, () -> run(read, current.get())); // the fast path
            }
            // nobody read it for a while, so the timer skipped it: fetch first, serve what is there if that fails
            return mirror.refresh()
                    .copy()
                    .completeOnTimeout(null, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    .thenCompose(done -> await(mirror, after, deadline, REFETCH_PAUSE_MS))
                    .thenCompose(snapshot -> onThread(mirror, deadline, () -> run(read, snapshot)));
        }
        return await(mirror, after, deadline, REFETCH_PAUSE_MS)
                .thenCompose(snapshot -> onThread(mirror, deadline, () -> run(read, snapshot)));
    }

    /** The end of the wait of a read that asks for {@code after} with {@code wait} (without: afterWait), from now. */
    long deadline(Optional<ObjectId> after, Duration wait) {
        return System.nanoTime() + (after.isPresent() ? wait : afterWait).toNanos();
    }

    private <T> CompletableFuture<T> onThread(Mirror mirror, long deadline, Supplier<T> work) {
        return threads.run(mirror.kb().id(), deadline, work);
    }

    private CompletableFuture<Snapshot> await(Mirror mirror, Optional<ObjectId> after, long deadline, long pauseMs) {
        return onThread(mirror, deadline, () -> ready(mirror, after)).thenCompose(ready -> {
            if (ready.isPresent()) {
                return CompletableFuture.completedFuture(ready.get());
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                mirror.refresh(); // for the next read (one that waits not at all has set none going yet)
                throw notYet(mirror, after);
            }
            boolean fetchedBefore = mirror.current().isPresent();
            return mirror.refresh()
                    .copy()
                    .completeOnTimeout(null, left, TimeUnit.NANOSECONDS)
                    .thenCompose(done -> {
                        if (mirror.current().isEmpty() && mirror.lastFailure() != null && !fetchedBefore) {
                            throw notYet(mirror, after);
                        }
                        return CompletableFuture.supplyAsync(
                                        () -> null,
                                        CompletableFuture.delayedExecutor(
                                                after.isPresent() ? pauseMs : 0, TimeUnit.MILLISECONDS))
                                .thenCompose(x ->
                                        await(mirror, after, deadline, Math.min(pauseMs * 2, REFETCH_PAUSE_MAX_MS)));
                    });
        });
    }

    private Optional<Snapshot> ready(Mirror mirror, Optional<ObjectId> after) {
        Optional<Snapshot> current = mirror.current();
        if (current.isEmpty() || after.isEmpty()) {
            return current;
        }
        try {
            return mirror.contains(current.get(), after.get()) ? current : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static UnavailableException notYet(Mirror mirror, Optional<ObjectId> after) {
        if (mirror.current().isEmpty()) {
            return new UnavailableException(
                    "SNAPSHOT_UNAVAILABLE",
                    "the coordinator could not fetch KB " + mirror.kb().id().value() + " yet: " + mirror.lastFailure(),
                    RETRY_UNAVAILABLE);
        }
        return new UnavailableException(
                "SNAPSHOT_BEHIND",
                "the snapshot of KB " + mirror.kb().id().value() + " does not hold commit "
                        + after.map(ObjectId::name).orElse("?") + " yet",
                RETRY_BEHIND);
    }

    private static <T> T run(SnapshotRead<T> read, Snapshot snapshot) {
        try {
            return read.apply(snapshot);
        } catch (IOException e) {
            throw new CompletionException(e);
        }
    }
}
