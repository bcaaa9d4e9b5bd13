package dev.kbsync.cli.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the demo KB's remote compact, as a git server keeps its repositories. The workers push into it in their own
 * JVM, and JGit's receive would otherwise repack the whole repository after a push each time 50 pushes have added a
 * pack each, a cost that grows with the KB (on a hot KB it took most of the CPU, and the notes/s fell as the KB grew).
 * {@link DemoRemote} turns that off; this repacks once the pushes left more than {@link #PACK_LIMIT} packs, and only
 * after an idle time of {@link #IDLE_FACTOR} times its last repack, so it never takes more than a tenth of a core.
 */
final class RemoteHousekeeping implements AutoCloseable {
    static final int PACK_LIMIT = 50;
    static final long IDLE_FACTOR = 9;

    private static final Logger log = LoggerFactory.getLogger(RemoteHousekeeping.class);

    private final Path bare;
    private final LongSupplier nanoTime;
    private final int packLimit;
    private ScheduledExecutorService schedule;
    private long lastEnd;
    private long lastRepack;

    RemoteHousekeeping(Path bare, LongSupplier nanoTime) {
        this(bare, nanoTime, PACK_LIMIT);
    }

    /** With another pack limit than {@link #PACK_LIMIT} (tests: fewer pushes to pass it). */
    RemoteHousekeeping(Path bare, LongSupplier nanoTime, int packLimit) {
        this.bare = bare;
        this.nanoTime = nanoTime;
        this.packLimit = packLimit;
    }

    /** Checks the remote every {@code every} on a daemon thread of its own. */
    static RemoteHousekeeping start(Path bare, Duration every) {
        RemoteHousekeeping housekeeping = new RemoteHousekeeping(bare, System::nanoTime);
        housekeeping.schedule = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "kbsync-remote-housekeeping");
            thread.setDaemon(true);
            return thread;
        });
        housekeeping.schedule.scheduleWithFixedDelay(
                housekeeping::runQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return housekeeping;
    }

    /** Repacks the remote if it holds more than its pack limit's packs and the budget allows; true if it did. */
    synchronized boolean runIfDue() {
        int before = packs();
        long started = nanoTime.getAsLong();
        if (before <= packLimit || (lastRepack > 0 && started - lastEnd < IDLE_FACTOR * lastRepack)) {
            return false;
        }
        try (Git git = Git.open(bare.toFile())) {
            git.gc().setPreserveOldPacks(false).call();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot repack " + bare, e);
        } catch (GitAPIException e) {
            throw new IllegalStateException("cannot repack " + bare + ": " + e.getMessage(), e);
        }
        lastEnd = nanoTime.getAsLong();
        lastRepack = Math.max(1, lastEnd - started);
        log.info("repacked the demo KB's remote: {} packs -> {} in {} ms", before, packs(), lastRepack / 1_000_000);
        return true;
    }

    /** How long the last repack took (0 before the first). */
    synchronized long lastRepackNanos() {
        return lastRepack;
    }

    /** The pack files in the remote. */
    int packs() {
        try (Stream<Path> files = Files.list(bare.resolve("objects/pack"))) {
            return (int) files.filter(f -> f.getFileName().toString().endsWith(".pack"))
                    .count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the packs of " + bare, e);
        }
    }

    private void runQuietly() {
        try {
            runIfDue();
        } catch (RuntimeException e) {
            log.warn("housekeeping of the demo KB's remote failed (tried again later): {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        if (schedule != null) {
            schedule.shutdownNow();
            try {
                schedule.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
