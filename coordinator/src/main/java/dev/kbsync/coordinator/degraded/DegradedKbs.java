package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.service.KbRegistry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KBs a degraded mode knows (their jobs are journaled while Redis is unreachable), kept in {@link KnownKbs#FILE}
 * whenever the set changes, and those it saw removed since it started (their jobs are refused KB_NOT_FOUND, not
 * journaled; a removed KB registered again is known again). Whenever Redis answers (at the start, and again after an
 * outage) the known KBs are {@link #sync synced} with the registry: a removal this coordinator missed (stopped, or cut
 * off from Redis when it was published) is caught up with. Thread-safe.
 */
final class DegradedKbs {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedKbs.class);

    private final Map<KbId, KbConfig> known = new ConcurrentHashMap<>();
    private final Set<KbId> removed = ConcurrentHashMap.newKeySet();
    /** Each KB's last change here ({@link #known} or {@link #forget}), numbered by {@link #changes}. */
    private final Map<KbId, Long> changed = new HashMap<>(); // guarded by this

    private final WorkerExecutor executor;
    private final Path dir;
    private long changes; // guarded by this

    /** Written to {@code dir} on {@code executor} (the journal's one thread). */
    DegradedKbs(WorkerExecutor executor, Path dir) {
        this.executor = executor;
        this.dir = dir;
    }

    /** The known KBs by id, live (the local dispatch reads their configuration). */
    Map<KbId, KbConfig> configs() {
        return known;
    }

    /** Knows every one of {@code kbs} (those an earlier run knew, then the configured and registered ones). */
    synchronized void startWith(List<KbConfig> earlier, Collection<KbConfig> kbs) {
        earlier.forEach(kb -> known.put(kb.id(), kb));
        boolean changed = false;
        for (KbConfig kb : kbs) {
            changed |= !kb.equals(known.put(kb.id(), kb));
        }
        if (changed) {
            keep();
        }
    }

    synchronized void known(KbConfig kb) {
        changed.put(kb.id(), ++changes);
        removed.remove(kb.id());
        if (!kb.equals(known.put(kb.id(), kb))) {
            keep();
        }
    }

    synchronized void forget(KbId kb) {
        changed.put(kb, ++changes);
        removed.add(kb);
        if (known.remove(kb) != null) {
            keep();
        }
    }

    /**
     * Reads the registry's list once and makes the known KBs what it lists: a known KB it does not list was removed
     * meanwhile (its jobs are refused as those of a removed KB), a listed one is known. A KB learnt or forgotten here
     * while the list was read keeps what it learnt. Fails as the read does (the known KBs stay as they were).
     */
    Future<Void> sync(KbRegistry registry) {
        return sync(registry, null);
    }

    /**
     * {@link #sync(KbRegistry)}, where a known KB the list lacks is kept if {@code present} (ids just confirmed
     * registered; null: none) names it: a removal's check takes a KB off the list for a moment.
     */
    Future<Void> sync(KbRegistry registry, List<KbId> present) {
        long mark;
        synchronized (this) {
            mark = changes;
        }
        Set<KbId> kept = present == null ? Set.of() : Set.copyOf(present);
        return registry.list().map(listed -> {
            synced(listed, mark, kept);
            return null;
        });
    }

    private synchronized void synced(List<KbConfig> listed, long mark, Set<KbId> present) {
        Map<KbId, KbConfig> byId = new HashMap<>();
        listed.forEach(kb -> byId.put(kb.id(), kb));
        List<KbId> gone = known.keySet().stream()
                .filter(kb -> !byId.containsKey(kb) && !present.contains(kb) && unchangedSince(kb, mark))
                .toList();
        boolean kept = !gone.isEmpty();
        gone.forEach(kb -> {
            known.remove(kb);
            removed.add(kb);
        });
        for (KbConfig kb : listed) {
            if (unchangedSince(kb.id(), mark)) {
                removed.remove(kb.id());
                kept |= !kb.equals(known.put(kb.id(), kb));
            }
        }
        if (!gone.isEmpty()) {
            LOG.info(
                    "KB(s) {} were removed while this coordinator did not hear of it: forgotten by degraded mode",
                    gone);
        }
        if (kept) {
            keep();
        }
    }

    private boolean unchangedSince(KbId kb, long mark) {
        return changed.getOrDefault(kb, 0L) <= mark;
    }

    /** Whether {@code listed} (the registry's ids) are exactly the KBs known here, none of them taken for removed. */
    synchronized boolean lists(List<KbId> listed) {
        Set<KbId> ids = Set.copyOf(listed);
        return ids.equals(known.keySet()) && ids.stream().noneMatch(removed::contains);
    }

    boolean knows(KbId kb) {
        return known.containsKey(kb);
    }

    boolean removed(KbId kb) {
        return removed.contains(kb);
    }

    /** Writes the known KBs on the journal's thread (the last write has the latest set). */
    private void keep() {
        DegradedMode.onJournal(executor, () -> {
                    KnownKbs.write(dir, List.copyOf(known.values()));
                    return null;
                })
                .onFailure(e -> LOG.warn(
                        "the known KBs could not be written to {} ({}): a restart during an outage may not accept"
                                + " notes of KBs registered since",
                        dir.resolve(KnownKbs.FILE),
                        e.toString()));
    }
}
