package dev.kbsync.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One acquisition of a KB lock: the in-process turn, then the file lock, both within one deadline. */
final class Acquisition {
    private static final Logger log = LoggerFactory.getLogger(LocalKbLock.class);

    private final Path kb;
    private final String operation;
    private final KbQueue queue;
    private final Path lockPath;
    private final LocalLockConfig config;
    private final Clock clock;
    private final Instant start;
    private boolean waitLogged;

    Acquisition(Path kb, String operation, KbQueue queue, Path lockPath, LocalLockConfig config, Clock clock) {
        this.kb = kb;
        this.operation = operation;
        this.queue = queue;
        this.lockPath = lockPath;
        this.config = config;
        this.clock = clock;
        this.start = clock.instant();
    }

    /** The in-process holder, else the one another live process recorded. */
    static Optional<LockHolder> holder(KbQueue queue, Path lockPath) {
        return queue.holder().or(() -> LockFile.recordedHolder(lockPath));
    }

    /**
     * The in-process turn, then the file lock, within {@code timeout}; {@code check} runs on this thread while it waits
     * (see {@link LocalKbLock#acquireWithin(Path, String, Duration, Runnable)}).
     */
    Grant run(Duration timeout, IntConsumer onPosition, Runnable check) {
        long deadline = System.nanoTime() + timeout.toNanos();
        KbQueue.Ticket ticket = queue.enqueue(operation);
        try {
            if (!queue.await(ticket, deadline, position -> report(position, onPosition), check)) {
                throw timedOut(timeout, holder(queue, lockPath));
            }
            LockFile file = lockFile(ticket, deadline, timeout, check);
            try {
                LockFileLocation.excludeLegacy(kb);
            } catch (RuntimeException | Error e) { // the file lock was taken: released with the ticket, not kept
                file.release();
                throw e;
            }
            Duration wait = Duration.between(start, ticket.grantedAt);
            log.info("{} acquired KB {} after waiting {} ms", operation, kb.getFileName(), wait.toMillis());
            return new Grant(kb, operation, queue, ticket, file, wait, clock);
        } catch (InterruptedException | ClosedByInterruptException e) {
            queue.leave(ticket);
            Thread.currentThread().interrupt();
            throw new LockInterruptedException(kb, operation, e);
        } catch (IOException e) {
            queue.leave(ticket);
            throw new UncheckedIOException("could not lock " + lockPath, e);
        } catch (RuntimeException | Error e) { // a check or position callback that failed: never left at the head
            queue.leave(ticket);
            throw e;
        }
    }

    private void report(int position, IntConsumer onPosition) {
        if (position > 0 && !waitLogged) {
            String holder = describe(holder(queue, lockPath));
            log.info("{} waits for KB {}, held by {}, {} ahead", operation, kb.getFileName(), holder, position);
            waitLogged = true;
        } else {
            log.debug("{} is at position {} for KB {}", operation, position, kb.getFileName());
        }
        onPosition.accept(position);
    }

    private LockFile lockFile(KbQueue.Ticket ticket, long deadline, Duration timeout, Runnable check)
            throws IOException, InterruptedException {
        while (true) {
            check.run();
            LockHolder me = new LockHolder(operation, ProcessHandle.current().pid(), clock.instant());
            Optional<LockFile> file = LockFile.tryLock(lockPath, me);
            if (file.isPresent()) {
                ticket.grantedAt = me.since();
                return file.get();
            }
            Optional<LockHolder> other = LockFile.recordedHolder(lockPath);
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw timedOut(timeout, other);
            }
            if (!waitLogged) {
                log.info("{} waits for KB {}, held by {}", operation, kb.getFileName(), describe(other));
                waitLogged = true;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, config.pollInterval().toNanos()));
        }
    }

    private LockTimeoutException timedOut(Duration timeout, Optional<LockHolder> holder) {
        return new LockTimeoutException(kb, operation, timeout, describe(holder), holder.orElse(null));
    }

    private String describe(Optional<LockHolder> holder) {
        return holder.map(h -> h.describe(clock)).orElse("an unknown operation");
    }
}
