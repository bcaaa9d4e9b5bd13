package dev.kbsync.coordinator.engine.sweep;

import dev.kbsync.api.KbId;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The KBs the sweep forgot (removed here or through another coordinator), each until a read of the registered KBs lists
 * it again or {@code kept} passed: a late touch of one (a webhook retry of the removed KB, a late change event) then
 * sweeps nothing. Bounded by the KBs removed within {@code kept}, not by all ever removed. Thread-safe.
 */
final class ForgottenKbs {
    private final Duration kept;
    private final LongSupplier ticker;
    private final Map<KbId, Long> since = new ConcurrentHashMap<>();

    ForgottenKbs(Duration kept, LongSupplier ticker) {
        this.kept = kept;
        this.ticker = ticker;
    }

    void forgot(KbId kb) {
        since.put(kb, ticker.getAsLong());
    }

    boolean contains(KbId kb) {
        return since.containsKey(kb);
    }

    /** A read of the registered KBs listed {@code ids}: those are registered again; what was kept long enough goes. */
    void listed(Collection<KbId> ids) {
        ids.forEach(since::remove);
        long now = ticker.getAsLong();
        since.values().removeIf(at -> now - at > kept.toNanos());
    }

    int size() {
        return since.size();
    }
}
