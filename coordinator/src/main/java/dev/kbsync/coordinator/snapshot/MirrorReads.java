package dev.kbsync.coordinator.snapshot;

import dev.kbsync.coordinator.error.UnavailableException;
import dev.kbsync.coordinator.snapshot.KbMirrors.SnapshotRead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.lib.ObjectId;

/**
 * {@link KbMirrors}' reads of one mirror, on the read threads: served from its snapshot at once, or after a fetch
 * when nobody read it for a while (or no fetch of this process ended yet: a mirror reopened from disk), or once the
 * snapshot holds the commit a read waits for ({@code after}).
 */
final class MirrorReads {
    private static final Duration RETRY_BEHIND = Duration.ofSeconds(1);
    private static final Duration RETRY_UNAVAILABLE = Duration.ofSeconds(5);
    private static final long REFETCH_PAUSE_MS = 100;

    private final ExecutorService reads;
    private final Duration afterWait;
    private final long refreshNanos;
    private final long idleNanos;

    MirrorReads(ExecutorService reads, Duration afterWait, long refreshNanos, long idleNanos) {
        this.reads = reads;
        this.afterWait = afterWait;
        this.refreshNanos = refreshNanos;
        this.idleNanos = idleNanos;
    }

    /** See {@link KbMirrors#read}. */
    <T> CompletableFuture<T> read(Mirror mirror, Optional<ObjectId> after, Duration wait, SnapshotRead<T> read) {
        // a mirror no fetch of this process ended for yet (reopened from disk) counts as idle: fetched before it is
        // served
        boolean wasIdle = !mirror.fetchEnded() || !mirror.readWithin(idleNanos);
        mirror.touch();
        Optional<Snapshot> current = mirror.current();
        if (after.isEmpty() && current.isPresent()) {
            if (!wasIdle || mirror.fetchedWithin(refreshNanos * 2)) {
                return CompletableFuture.supplyAsync(() -> run(read, current.get()), reads); // the fast path
            }
            // nobody read it for a while, so the timer skipped it: fetch first, serve what is there if that fails
            long deadline = System.nanoTime() + afterWait.toNanos();
            return mirror.refresh()
                    .copy()
                    .completeOnTimeout(null, afterWait.toNanos(), TimeUnit.NANOSECONDS)
                    .thenCompose(done -> await(mirror, after, deadline))
                    .thenApplyAsync(snapshot -> run(read, snapshot), reads);
        }
        long deadline = System.nanoTime() + (after.isPresent() ? wait : afterWait).toNanos();
        return await(mirror, after, deadline).thenApplyAsync(snapshot -> run(read, snapshot), reads);
    }

    private CompletableFuture<Snapshot> await(Mirror mirror, Optional<ObjectId> after, long deadline) {
        return CompletableFuture.supplyAsync(() -> ready(mirror, after), reads).thenCompose(ready -> {
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
                                                after.isPresent() ? REFETCH_PAUSE_MS : 0, TimeUnit.MILLISECONDS))
                                .thenCompose(x -> await(mirror, after, deadline));
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
