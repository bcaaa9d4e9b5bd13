package dev.kbsync.coordinator.metrics;

import dev.kbsync.api.KbId;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/** One meter per KB, registered on the KB's first observation and looked up without allocating afterwards. */
final class PerKb<M> {
    private final Map<KbId, M> meters = new ConcurrentHashMap<>();
    private final Function<KbId, M> register;

    PerKb(Function<KbId, M> register) {
        this.register = register;
    }

    /** Forgets the KB's meter (its next observation registers a new one). */
    void forget(KbId kb) {
        meters.remove(kb);
    }

    M of(KbId kb) {
        M meter = meters.get(kb);
        return meter != null ? meter : meters.computeIfAbsent(kb, register);
    }
}
