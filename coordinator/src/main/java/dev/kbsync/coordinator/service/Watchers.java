package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbId;
import dev.kbsync.api.event.KbsyncEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Who on this coordinator listens to queue events. The engine publishes a KB's events on the local event bus only
 * while something watches that KB (or all KBs): a coordinator with thousands of KBs and nobody looking does no
 * per-change fan-out work. Whoever consumes a {@link QueueAddresses} address takes a {@link Watch} first and closes
 * it when done; the HTTP event streams do.
 */
public final class Watchers {
    /** Open watches per KB; counted inside the map's own atomic steps, so an entry never drops while one is open. */
    private final Map<KbId, Integer> kbs = new ConcurrentHashMap<>();

    private final AtomicInteger all = new AtomicInteger();
    private final Map<KbId, Marks> told = new ConcurrentHashMap<>();
    /** Watches of a KB not told their first state yet (its read under way), per KB; {@link #unmarkedAll}: of all. */
    private final Map<KbId, Integer> unmarked = new ConcurrentHashMap<>();

    private final AtomicInteger unmarkedAll = new AtomicInteger();

    /** Watches one KB (its snapshot, lease and job addresses). */
    public Watch kb(KbId kb) {
        kbs.merge(kb, 1, Integer::sum);
        unmarked.merge(kb, 1, Integer::sum);
        return new Watch(this, kb, () -> down(kbs, kb), () -> down(unmarked, kb));
    }

    private static void down(Map<KbId, Integer> counts, KbId kb) {
        counts.computeIfPresent(kb, (k, n) -> n > 1 ? n - 1 : null);
    }

    /**
     * Watches the KB a lease id names ({@code <kb>~<ticket>[.<fence>]}); nothing for an id that names none (its stream
     * then answers the lease unknown, as every lease route does).
     */
    public Watch lease(String leaseId) {
        int tilde = leaseId.indexOf('~');
        String kb = tilde > 0 ? leaseId.substring(0, tilde) : null;
        return KbId.valid(kb) ? kb(KbId.of(kb)) : new Watch(null, null, () -> {}, () -> {});
    }

    /** Watches every KB ({@link QueueAddresses#ALL}, the dashboard). */
    public Watch all() {
        all.incrementAndGet();
        unmarkedAll.incrementAndGet();
        return new Watch(this, null, all::decrementAndGet, unmarkedAll::decrementAndGet);
    }

    /** The KBs watched one by one now (the dashboard's watch of all KBs is not among them). */
    public Set<KbId> watchedKbs() {
        return Set.copyOf(kbs.keySet());
    }

    public boolean watched(KbId kb) {
        return all.get() > 0 || kbs.containsKey(kb);
    }

    /** What the open streams were first told of {@code kb} ({@link Watch#told}). */
    public Baseline told(KbId kb) {
        boolean complete = unmarkedAll.get() <= 0 && !unmarked.containsKey(kb);
        Marks marks = told.get(kb);
        return marks == null ? new Baseline(0, List.of(), complete) : marks.baseline(complete);
    }

    /**
     * What the open streams of one KB were first told, and a version that changes whenever a stream is added or ends:
     * the same version, the same baseline. Not {@code complete} while a watch of the KB (or of all) has not been told
     * its first state yet: what its stream reads is not known, so nothing may be held back from it.
     */
    public record Baseline(long version, List<Told> told, boolean complete) {

        public Baseline {
            told = List.copyOf(told);
        }

        public boolean isEmpty() {
            return told.isEmpty();
        }
    }

    /** One KB's marks per watch. */
    private static final class Marks {
        private static final AtomicLong VERSIONS = new AtomicLong();
        private final Map<Watch, List<Told>> byWatch = new HashMap<>();
        private long version = VERSIONS.incrementAndGet();

        synchronized void put(Watch watch, List<Told> marks) {
            byWatch.put(watch, marks);
            version = VERSIONS.incrementAndGet();
        }

        synchronized boolean remove(Watch watch) {
            if (byWatch.remove(watch) != null) {
                version = VERSIONS.incrementAndGet();
            }
            return byWatch.isEmpty();
        }

        synchronized Baseline baseline(boolean complete) {
            List<Told> all = new ArrayList<>();
            byWatch.values().forEach(all::addAll);
            return new Baseline(version, all, complete);
        }
    }

    private void told(Watch watch, List<Told> marks) {
        Map<KbId, List<Told>> byKb = new HashMap<>();
        marks.forEach(
                mark -> byKb.computeIfAbsent(mark.kb(), k -> new ArrayList<>()).add(mark));
        byKb.forEach((kb, list) -> {
            told.compute(kb, (k, existing) -> {
                Marks kept = existing == null ? new Marks() : existing;
                kept.put(watch, List.copyOf(list));
                return kept;
            });
            watch.toldOf.add(kb);
        });
    }

    private void forget(Watch watch) {
        for (KbId kb : watch.toldOf) {
            told.computeIfPresent(kb, (k, marks) -> marks.remove(watch) ? null : marks);
        }
    }

    /** One registration; closing it twice is harmless. */
    public static final class Watch implements AutoCloseable {
        private final Watchers owner;
        private final KbId kb;
        private final Runnable release;
        private final Runnable marked;
        private final AtomicBoolean open = new AtomicBoolean(true);
        private final AtomicBoolean unmarked = new AtomicBoolean(true);
        private final Set<KbId> toldOf = ConcurrentHashMap.newKeySet();

        private Watch(Watchers owner, KbId kb, Runnable release, Runnable marked) {
            this.owner = owner;
            this.kb = kb;
            this.release = release;
            this.marked = marked;
        }

        /** No longer a watch whose first state is unknown (told, or closed); once. */
        private void settle() {
            if (unmarked.compareAndSet(true, false)) {
                marked.run();
            }
        }

        /**
         * Keeps what the stream holding this watch sent as its first state (of this watch's KB; of any KB for a watch
         * of all) until the watch closes. Call once, on the stream's first events.
         */
        public void told(List<KbsyncEvent> first) {
            try {
                keep(first);
            } finally {
                settle(); // after its marks are kept: the KB never looks told of less than it was
            }
        }

        private void keep(List<KbsyncEvent> first) {
            if (owner == null || !open.get()) {
                return;
            }
            List<Told> marks = first.stream()
                    .map(Told::of)
                    .flatMap(Optional::stream)
                    .filter(mark -> kb == null || mark.kb().equals(kb))
                    .toList();
            if (!marks.isEmpty()) {
                owner.told(this, marks);
                if (!open.get()) { // closed meanwhile: its close may have run before the marks were kept
                    owner.forget(this);
                }
            }
        }

        @Override
        public void close() {
            if (open.compareAndSet(true, false)) {
                release.run();
                settle();
                if (owner != null) {
                    owner.forget(this);
                }
            }
        }
    }
}
