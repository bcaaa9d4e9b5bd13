package dev.kbsync.coordinator.degraded;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import io.vertx.core.WorkerExecutor;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The KBs a degraded mode knows (their jobs are journaled while Redis is unreachable), kept in {@link KnownKbs#FILE}
 * whenever the set changes, and those it saw removed since it started (their jobs are refused KB_NOT_FOUND, not
 * journaled; a removed KB registered again is known again). Thread-safe.
 */
final class DegradedKbs {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedKbs.class);

    private final Map<KbId, KbConfig> known = new ConcurrentHashMap<>();
    private final Set<KbId> removed = ConcurrentHashMap.newKeySet();
    private final WorkerExecutor executor;
    private final Path dir;

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
    void startWith(List<KbConfig> earlier, Collection<KbConfig> kbs) {
        earlier.forEach(kb -> known.put(kb.id(), kb));
        boolean changed = false;
        for (KbConfig kb : kbs) {
            changed |= !kb.equals(known.put(kb.id(), kb));
        }
        if (changed) {
            keep();
        }
    }

    void known(KbConfig kb) {
        removed.remove(kb.id());
        if (!kb.equals(known.put(kb.id(), kb))) {
            keep();
        }
    }

    void forget(KbId kb) {
        removed.add(kb);
        if (known.remove(kb) != null) {
            keep();
        }
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
