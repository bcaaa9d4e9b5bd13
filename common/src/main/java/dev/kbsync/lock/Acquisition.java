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

    Acquisition(Path kb, String operation, KbQueue queue, Path lockPath, LocalLockConfig config, Clock clock) {
        this.kb = kb;
        this.operation = operation;
        this.queue = queue;
        this.lockPath = lockPath;
        this.config = config;
        this.clock = clock;
        this.start = clock.instant();
    }

    Grant run(Duration timeout, IntConsumer onPosition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        KbQueue.Ticket ticket = queue.enqueue(operation, clock);
        try {
            if (!queue.await(ticket, deadline, position -> report(position, onPosition))) {
                String holder =
                        queue.head().map(t -> t.holder().describe(clock)).orElse("nobody (it was just released)");
                throw new LockTimeoutException(
                        kb,
                        operation,
                        timeout,
                        holder,
                        queue.head().map(KbQueue.Ticket::holder).orElse(null));
            }
            LockFile file = lockFile(deadline, timeout);
            LockFileLocation.excludeLegacy(kb);
            Duration wait = Duration.between(start, clock.instant());
            log.info("{} acquired KB {} after waiting {} ms", operation, kb.getFileName(), wait.toMillis());
            return new Grant(kb, operation, queue, ticket, file, wait, clock);
        } catch (InterruptedException | ClosedByInterruptException e) {
            queue.leave(ticket);
            throw new LockInterruptedException(kb, operation, e);
        } catch (IOException e) {
            queue.leave(ticket);
            throw new UncheckedIOException("could not lock " + lockPath, e);
        } catch (RuntimeException e) {
            queue.leave(ticket);
            throw e;
        }
    }

    private void report(int position, IntConsumer onPosition) {
        if (position > 0) {
            String holder = queue.head().map(t -> t.holder().describe(clock)).orElse("nobody");
            log.info("{} waits for KB {}, held by {}, {} ahead", operation, kb.getFileName(), holder, position);
        }
        onPosition.accept(position);
    }

    private LockFile lockFile(long deadline, Duration timeout) throws IOException, InterruptedException {
        boolean logged = false;
        while (true) {
            LockHolder me = new LockHolder(operation, ProcessHandle.current().pid(), clock.instant());
            Optional<LockFile> file = LockFile.tryLock(lockPath, me);
            if (file.isPresent()) {
                return file.get();
            }
            Optional<LockHolder> other = LockFile.recordedHolder(lockPath);
            String holder = other.map(h -> h.describe(clock)).orElse("another process");
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                throw new LockTimeoutException(kb, operation, timeout, holder, other.orElse(null));
            }
            if (!logged) {
                log.info("{} waits for KB {}, held by {}", operation, kb.getFileName(), holder);
                logged = true;
            }
            TimeUnit.NANOSECONDS.sleep(Math.min(remaining, config.pollInterval().toNanos()));
        }
    }
}
