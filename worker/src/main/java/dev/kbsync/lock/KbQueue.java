package dev.kbsync.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The in-process FIFO ticket queue of one KB. Ticket 0 holds; the others wait in arrival order. Tickets are not owned
 * by threads, so a ticket taken on one thread can be released from another.
 */
final class KbQueue {
    /** How often a waiter runs its check while nothing changes: 250 ms. */
    static final long CHECK_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    private final ReentrantLock mutex = new ReentrantLock();
    private final Condition changed = mutex.newCondition();
    private final List<Ticket> tickets = new ArrayList<>();
    private LockStats stats = LockStats.EMPTY;

    /** One request for the lock; {@code grantedAt} is set once it also holds the file lock. */
    static final class Ticket {
        final String operation;
        volatile Instant grantedAt;

        Ticket(String operation) {
            this.operation = operation;
        }
    }

    Ticket enqueue(String operation) {
        Ticket ticket = new Ticket(operation);
        mutex.lock();
        try {
            tickets.add(ticket);
            return ticket;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Waits until {@code ticket} is at the head; reports every new position (0 = granted) to {@code onPosition} on the
     * calling thread, and runs {@code check} there before each wait and at least every {@link #CHECK_EVERY_NANOS}
     * while it lasts. On timeout returns false, on interrupt throws; either way the ticket has left the queue. An
     * exception of {@code check} or {@code onPosition} is thrown on, the ticket still queued: the caller removes it.
     */
    boolean await(Ticket ticket, long deadlineNanos, IntConsumer onPosition, Runnable check)
            throws InterruptedException {
        int reported = -1;
        while (true) {
            check.run();
            int position;
            mutex.lock();
            try {
                position = tickets.indexOf(ticket);
                if (position == reported && position > 0) {
                    long remaining = deadlineNanos - System.nanoTime();
                    if (remaining <= 0) {
                        removeLocked(ticket);
                        return false;
                    }
                    changed.awaitNanos(Math.min(remaining, CHECK_EVERY_NANOS));
                    continue;
                }
            } catch (InterruptedException e) {
                removeLocked(ticket);
                throw e;
            } finally {
                mutex.unlock();
            }
            onPosition.accept(position);
            if (position == 0) {
                return true;
            }
            reported = position;
        }
    }

    /** Removes the ticket (holder or waiter); idempotent. */
    void leave(Ticket ticket) {
        mutex.lock();
        try {
            removeLocked(ticket);
        } finally {
            mutex.unlock();
        }
    }

    /** The in-process holder: the head ticket once it also holds the file lock. */
    Optional<LockHolder> holder() {
        mutex.lock();
        try {
            if (tickets.isEmpty() || tickets.get(0).grantedAt == null) {
                return Optional.empty();
            }
            Ticket head = tickets.get(0);
            return Optional.of(
                    new LockHolder(head.operation, ProcessHandle.current().pid(), head.grantedAt));
        } finally {
            mutex.unlock();
        }
    }

    /** How many tickets wait behind the head. */
    int waiting() {
        mutex.lock();
        try {
            return Math.max(0, tickets.size() - 1);
        } finally {
            mutex.unlock();
        }
    }

    void record(Duration wait, Duration hold) {
        mutex.lock();
        try {
            stats = stats.plus(wait, hold);
        } finally {
            mutex.unlock();
        }
    }

    LockStats stats() {
        mutex.lock();
        try {
            return stats;
        } finally {
            mutex.unlock();
        }
    }

    private void removeLocked(Ticket ticket) {
        if (tickets.remove(ticket)) {
            changed.signalAll();
        }
    }
}
