package dev.kbsync.api.client;

import java.time.Duration;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An event stream read from a plain thread: {@link #next()} blocks until the next event; {@link #hasNext()} is false
 * once the server ended the stream (after a finished job's or an ended lease's last event) or it was closed here, and
 * throws the {@link KbsyncException} of a broken connection. Single-use: {@link #iterator()} returns the stream itself,
 * so it works in a for-each loop. Close it to stop early.
 */
public final class EventStream<E> implements Iterator<E>, Iterable<E>, AutoCloseable {
    /**
     * The most events a stream holds unread: past it the stream is closed and its reader, once it has read them, gets
     * {@link KbsyncException.Unreachable} (the coordinator drops a client that falls behind in the same way).
     */
    static final int MAX_BEHIND = 10_000;

    private static final Object END = new Object();

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final AtomicBoolean overflowed = new AtomicBoolean();
    private volatile Subscription subscription;
    private Object head;

    private record Failed(Throwable cause) {}

    EventStream() {}

    /** Where the subscription delivers events (any thread). */
    void offer(E event) {
        if (overflowed.get()) {
            return;
        }
        if (queue.size() >= MAX_BEHIND && overflowed.compareAndSet(false, true)) {
            queue.add(new Failed(new KbsyncException.Unreachable(
                    "the reader fell behind by " + MAX_BEHIND + " events; the stream was closed", null)));
            if (subscription != null) {
                subscription.close();
            }
            return;
        }
        queue.add(event);
    }

    void attach(Subscription opened) {
        this.subscription = opened;
        opened.ended().onComplete(end -> {
            if (!overflowed.get()) { // else its failure is queued already
                queue.add(end.succeeded() ? END : new Failed(end.cause()));
            }
        });
        if (overflowed.get()) { // fell behind before it was attached
            opened.close();
        }
    }

    /** Blocks until the next event or the end of the stream. */
    @Override
    public boolean hasNext() {
        return fill(null) != END;
    }

    @Override
    public E next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the event stream ended");
        }
        return take();
    }

    /**
     * The next event within {@code timeout}: {@link KbsyncException.TimedOut} if none came,
     * {@link NoSuchElementException} if the stream ended.
     */
    public E next(Duration timeout) {
        Object item = fill(timeout);
        if (item == null) {
            throw new KbsyncException.TimedOut("no event within " + timeout.toMillis() + " ms", null);
        }
        if (item == END) {
            throw new NoSuchElementException("the event stream ended");
        }
        return take();
    }

    @Override
    public Iterator<E> iterator() {
        return this;
    }

    /** Stops the stream; events already received can still be read. Safe twice. */
    @Override
    public void close() {
        subscription.close();
    }

    private Object fill(Duration timeout) {
        if (head == null) {
            try {
                head = timeout == null ? queue.take() : queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KbsyncException.Interrupted("interrupted while waiting for an event", e);
            }
        }
        if (head instanceof Failed failed) {
            throw failed.cause() instanceof RuntimeException r ? r : new IllegalStateException(failed.cause());
        }
        return head;
    }

    @SuppressWarnings("unchecked")
    private E take() {
        E event = (E) head;
        head = null;
        return event;
    }
}
