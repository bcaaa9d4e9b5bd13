package dev.kbsync.lock;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A held KB lock: releases the file lock, then the in-process turn, once, from whichever thread closes it. */
final class Grant implements LocalKbLock.Handle {
    private static final Logger log = LoggerFactory.getLogger(LocalKbLock.class);

    private final Path kb;
    private final String operation;
    private final KbQueue queue;
    private final KbQueue.Ticket ticket;
    private final LockFile file;
    private final Duration wait;
    private final Clock clock;
    private final Instant acquiredAt;
    private final AtomicBoolean closed = new AtomicBoolean();

    Grant(Path kb, String operation, KbQueue queue, KbQueue.Ticket ticket, LockFile file, Duration wait, Clock clock) {
        this.kb = kb;
        this.operation = operation;
        this.queue = queue;
        this.ticket = ticket;
        this.file = file;
        this.wait = wait;
        this.clock = clock;
        this.acquiredAt = clock.instant();
    }

    @Override
    public Path kb() {
        return kb;
    }

    @Override
    public String operation() {
        return operation;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Duration hold = Duration.between(acquiredAt, clock.instant());
        try {
            file.release();
        } finally {
            queue.leave(ticket);
            queue.record(wait, hold);
            log.info(
                    "{} released KB {} after holding {} ms (waited {} ms)",
                    operation,
                    kb.getFileName(),
                    hold.toMillis(),
                    wait.toMillis());
        }
    }
}
