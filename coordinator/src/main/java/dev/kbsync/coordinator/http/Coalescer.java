package dev.kbsync.coordinator.http;

import dev.kbsync.api.Job;
import dev.kbsync.api.Lease;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The position events of one stream, at most one batch per window ({@link #WINDOW_MS} on every stream): a position event goes out at once
 * when the stream sent none within the window, otherwise it waits for the window's end, and only the latest waiting
 * position of each job or lease is sent then (a stream of many jobs keeps one per job). Any other event goes out at
 * once and drops its subject's waiting position, which it supersedes (every event carries the whole record). A
 * handoff moves every waiter up by one: without this, each of N waiters' streams got one event per handoff. A position
 * older than what its subject last showed (the stream's first read landed after it, {@link Progress}), or showing
 * nothing new (the same state, place, estimate and doing), is dropped. A job's {@code doing} event (its worker says it
 * does something else now) is coalesced as a position is: a worker that changes it at every heartbeat costs its
 * followers at most one event per window, the latest.
 */
final class Coalescer {
    /** The shortest time between two batches of position events on one stream. */
    static final long WINDOW_MS = 5;
    /** How many subjects a stream remembers the last sighting of (a stream of all jobs sees many). */
    private static final int SHOWN_MEMORY = 4096;

    private final Vertx vertx;
    private final long windowNanos;
    private final Consumer<KbsyncEvent> out;
    private final Map<String, KbsyncEvent> waiting = new LinkedHashMap<>();
    /** What each subject's last event offered showed: its state and place; forgotten at its last event. */
    private final Map<String, Shown> shown = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Shown> eldest) {
            return size() > SHOWN_MEMORY;
        }
    };

    private long lastPositionNanos;
    private long timer = -1;

    /** Coalesces over {@code windowMs} (called on the stream's context only), sending to {@code out}. */
    Coalescer(Vertx vertx, long windowMs, Consumer<KbsyncEvent> out) {
        this.vertx = vertx;
        this.windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMs);
        this.out = out;
        this.lastPositionNanos = System.nanoTime() - windowNanos;
    }

    /** Sends {@code event} now, or keeps it as its subject's latest position until the window ends. */
    void offer(KbsyncEvent event) {
        Optional<String> subject = subject(event);
        boolean position = event instanceof JobEvent.Position
                || event instanceof JobEvent.Doing
                || event instanceof LeaseEvent.Position;
        if (subject.isPresent() && !fresh(subject.get(), position, event)) {
            return;
        }
        if (!position) {
            subject.ifPresent(waiting::remove);
            out.accept(event);
            return;
        }
        long now = System.nanoTime();
        if (timer == -1 && now - lastPositionNanos >= windowNanos) {
            lastPositionNanos = now;
            out.accept(event);
            return;
        }
        waiting.put(subject.get(), event);
        if (timer == -1) {
            long delayMs = TimeUnit.NANOSECONDS.toMillis(windowNanos - (now - lastPositionNanos));
            timer = vertx.setTimer(Math.max(1, delayMs), t -> flush());
        }
    }

    /** Stops the timer; waiting positions are dropped (the stream ended). */
    void close() {
        if (timer != -1) {
            vertx.cancelTimer(timer);
            timer = -1;
        }
        waiting.clear();
    }

    private void flush() {
        timer = -1;
        lastPositionNanos = System.nanoTime();
        List<KbsyncEvent> batch = new ArrayList<>(waiting.values());
        waiting.clear();
        batch.forEach(out);
    }

    /** Whether {@code event} about {@code subject} is not older than what it last showed; remembers what it shows. */
    private boolean fresh(String subject, boolean position, KbsyncEvent event) {
        Shown now = Shown.of(event);
        Shown before = shown.get(subject);
        if (position
                && before != null
                && (now.equals(before) || Progress.older(before.state(), before.ahead(), now.state(), now.ahead()))) {
            return false; // nothing new (a first refresh's reading of what the first read showed), or older
        }
        if (event.last()) {
            shown.remove(subject);
        } else {
            shown.put(subject, now);
        }
        return true;
    }

    /**
     * A subject's state, place and (a job's) estimate and doing, as an event showed them; a lease has no estimate (-1)
     * and no doing (null).
     */
    private record Shown(String state, long ahead, long etaMs, long etaP90Ms, String doing) {
        static Shown of(KbsyncEvent event) {
            if (event instanceof JobEvent job) {
                Job j = job.job();
                return new Shown(j.state().wire(), j.ahead(), j.etaMs(), j.etaP90Ms(), j.doing());
            }
            Lease lease = ((LeaseEvent) event).lease();
            return new Shown(lease.state().wire(), lease.ahead(), -1, -1, null);
        }
    }

    private static Optional<String> subject(KbsyncEvent event) {
        if (event instanceof JobEvent job) {
            return Optional.of("job " + job.job().id());
        }
        if (event instanceof LeaseEvent lease) {
            return Optional.of("lease " + lease.lease().id());
        }
        return Optional.empty();
    }
}
