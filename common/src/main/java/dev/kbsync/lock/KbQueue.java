package dev.kbsync.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * The in-process FIFO ticket queue of one KB. Ticket 0 holds; the others wait in arrival order. Tickets are not owned
 * by threads, so a ticket taken on one thread can be released from another.
 */
final class KbQueue {
    private final ReentrantLock mutex = new ReentrantLock();
    private final Condition changed = mutex.newCondition();
    private final List<Ticket> tickets = new ArrayList<>();
    private LockStats stats = LockStats.EMPTY;

    /** One request for the lock; {@code since} is set when it reaches the head. */
    static final class Ticket {
        final String operation;
        final Clock clock;
        volatile Instant since;

        Ticket(String operation, Clock clock) {
            this.operation = operation;
            this.clock = clock;
        }

        LockHolder holder() {
            return new LockHolder(operation, ProcessHandle.current().pid(), since == null ? clock.instant() : since);
        }
    }

    Ticket enqueue(String operation, Clock clock) {
        Ticket ticket = new Ticket(operation, clock);
        mutex.lock();
        try {
            tickets.add(ticket);
            markHead();
            return ticket;
        } finally {
            mutex.unlock();
        }
    }

    /**
     * Waits until {@code ticket} is at the head; reports every new position (0 = granted) to {@code onPosition} on the
     * calling thread. On timeout returns false, on interrupt throws; either way the ticket has left the queue.
     */
    boolean await(Ticket ticket, long deadlineNanos, IntConsumer onPosition) throws InterruptedException {
        int reported = -1;
        while (true) {
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
                    changed.awaitNanos(remaining);
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

    /** The ticket at the head, if any. */
    Optional<Ticket> head() {
        mutex.lock();
        try {
            return tickets.isEmpty() ? Optional.empty() : Optional.of(tickets.get(0));
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
            markHead();
            changed.signalAll();
        }
    }

    private void markHead() {
        if (!tickets.isEmpty() && tickets.get(0).since == null) {
            Ticket head = tickets.get(0);
            head.since = head.clock.instant();
        }
    }
}
