package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Who on this coordinator listens to queue events. The engine publishes a KB's events on the local event bus only
 * while something watches that KB (or all KBs): a coordinator with thousands of KBs and nobody looking does no
 * per-change fan-out work. Whoever consumes a {@link QueueAddresses} address takes a {@link Watch} first and closes
 * it when done; the HTTP event streams do.
 */
public final class Watchers {
    private final Map<KbId, AtomicInteger> kbs = new ConcurrentHashMap<>();
    private final AtomicInteger all = new AtomicInteger();

    /** Watches one KB (its snapshot, lease and job addresses). */
    public Watch kb(KbId kb) {
        kbs.computeIfAbsent(kb, k -> new AtomicInteger()).incrementAndGet();
        return new Watch(() -> kbs.computeIfPresent(kb, (k, n) -> n.decrementAndGet() <= 0 ? null : n));
    }

    /** Watches the KB a lease id names ({@code <kb>~<ticket>[.<fence>]}). */
    public Watch lease(String leaseId) {
        int tilde = leaseId.indexOf('~');
        return tilde > 0 ? kb(KbId.of(leaseId.substring(0, tilde))) : new Watch(() -> {});
    }

    /** Watches every KB ({@link QueueAddresses#ALL}, the dashboard). */
    public Watch all() {
        all.incrementAndGet();
        return new Watch(all::decrementAndGet);
    }

    /** The KBs watched one by one now (the dashboard's watch of all KBs is not among them). */
    public Set<KbId> watchedKbs() {
        return Set.copyOf(kbs.keySet());
    }

    public boolean watched(KbId kb) {
        return all.get() > 0 || kbs.containsKey(kb);
    }

    /** One registration; closing it twice is harmless. */
    public static final class Watch implements AutoCloseable {
        private final Runnable release;
        private final AtomicBoolean open = new AtomicBoolean(true);

        private Watch(Runnable release) {
            this.release = release;
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                release.run();
            }
        }
    }
}
