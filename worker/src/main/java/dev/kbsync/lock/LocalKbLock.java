package dev.kbsync.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.IntConsumer;

/**
 * The local lock of a KB: a FIFO in-process ticket queue, then an OS file lock outside the work tree, released in
 * reverse order. KBs are keyed by their canonical path (symlinks resolved), so two paths of one KB share one lock and
 * different KBs never block each other. The in-process queues are JVM-wide: every instance of this class in a JVM
 * shares them, so several instances never open two channels on one lock file.
 *
 * <p>A {@link Handle} is not owned by a thread: it may be closed from any thread of the JVM that acquired it (the OS
 * file lock belongs to the process, the ticket queue to nobody), which async callers need. {@code acquire} blocks:
 * call it from a worker pool ({@code executeBlocking}), never from an event loop.
 */
public final class LocalKbLock {
    private static final ConcurrentMap<Path, KbQueue> QUEUES = new ConcurrentHashMap<>();
    private static final LocalKbLock SHARED = new LocalKbLock(LocalLockConfig.DEFAULTS, Clock.systemUTC());

    private final LocalLockConfig config;
    private final Clock clock;

    public LocalKbLock(LocalLockConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The process-wide instance with the default settings. */
    public static LocalKbLock shared() {
        return SHARED;
    }

    /** A held KB lock; {@link #close()} releases it, is idempotent and may run on any thread of this JVM. */
    public interface Handle extends AutoCloseable {
        /** The canonical path of the KB. */
        Path kb();

        /** The operation that holds the lock, e.g. {@code create_note_user_7}. */
        String operation();

        @Override
        void close();
    }

    /** Acquires with the configured timeout. */
    public Handle acquire(Path kb, String operation) {
        return acquire(kb, operation, config.timeout());
    }

    /**
     * Acquires within the configured timeout or {@code bound}, whichever is shorter (a bound below zero: one try), or
     * throws {@link LockTimeoutException}.
     */
    public Handle acquireWithin(Path kb, String operation, Duration bound) {
        return acquireWithin(kb, operation, bound, () -> {});
    }

    /**
     * As {@link #acquireWithin(Path, String, Duration)}, running {@code check} on the waiting thread as the wait begins
     * and at least every 250 ms while it lasts (at each poll of the file lock, 50 ms by default): an exception it
     * throws ends the wait, nothing held, and is thrown on. How a waiter gives up early: its worker stops, its lease
     * is lost.
     */
    public Handle acquireWithin(Path kb, String operation, Duration bound, Runnable check) {
        Duration shorter = bound.compareTo(config.timeout()) < 0 ? bound : config.timeout();
        return acquire(kb, operation, shorter.isNegative() ? Duration.ZERO : shorter, position -> {}, check);
    }

    /** Acquires within {@code timeout}, or throws {@link LockTimeoutException} naming the holder. */
    public Handle acquire(Path kb, String operation, Duration timeout) {
        return acquire(kb, operation, timeout, position -> {});
    }

    /**
     * Acquires within {@code timeout}; {@code onPosition} gets, on the waiting thread, the number of in-process
     * operations ahead each time it changes (it only decreases; 0 when the in-process turn has come). Throws
     * {@link LockTimeoutException} or {@link LockInterruptedException}; on both nothing stays held.
     */
    public Handle acquire(Path kb, String operation, Duration timeout, IntConsumer onPosition) {
        return acquire(kb, operation, timeout, onPosition, () -> {});
    }

    /**
     * As {@link #acquire(Path, String, Duration, IntConsumer)}, running {@code check} as {@link #acquireWithin(Path,
     * String, Duration, Runnable)} does: what it throws ends the wait, nothing held.
     */
    public Handle acquire(Path kb, String operation, Duration timeout, IntConsumer onPosition, Runnable check) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(onPosition, "onPosition");
        Objects.requireNonNull(check, "check");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        Path key = canonical(kb);
        return new Acquisition(key, operation, queue(key), lockFile(key), config, clock)
                .run(timeout, onPosition, check);
    }

    /** How many in-process operations wait for the KB (the holder not counted). */
    public int waiting(Path kb) {
        return queue(canonical(kb)).waiting();
    }

    /** The current holder: an in-process operation, else one recorded by another live process. */
    public Optional<LockHolder> holder(Path kb) {
        Path key = canonical(kb);
        return Acquisition.holder(queue(key), lockFile(key));
    }

    /** Waits and holds of the KB's lock in this JVM so far. */
    public LockStats stats(Path kb) {
        return queue(canonical(kb)).stats();
    }

    /** Waits and holds of every KB locked in this JVM so far, by canonical path. */
    public static Map<Path, LockStats> stats() {
        Map<Path, LockStats> all = new TreeMap<>();
        QUEUES.forEach((kb, queue) -> all.put(kb, queue.stats()));
        return all;
    }

    /** Where the KB's lock file is: {@code <kb>/.git/kbsync.lock}, else in the configured lock dir. */
    public Path lockFile(Path kb) {
        return LockFileLocation.of(canonical(kb), config);
    }

    private static KbQueue queue(Path key) {
        return QUEUES.computeIfAbsent(key, k -> new KbQueue());
    }

    private static Path canonical(Path kb) {
        try {
            return kb.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("KB directory not found: " + kb, e);
        }
    }
}
