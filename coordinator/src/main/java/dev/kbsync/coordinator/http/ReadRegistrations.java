package dev.kbsync.coordinator.http;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.error.NotFoundException;
import dev.kbsync.coordinator.service.KbRegistry;
import dev.kbsync.coordinator.snapshot.KbMirrors;
import io.vertx.core.Future;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The KB registrations reads go by, each looked up at most once a second (reads are frequent, registrations rare). A
 * KB removed (here or on another coordinator) or registered here is forgotten at once, and so is its mirror when it no
 * longer matches: a KB id used again with another remote never serves the old remote's content. A registration
 * changed on another coordinator is seen by reads here within the second, and by the mirror's next landing or timer
 * fetch, which looks it up first ({@link KbMirrors}).
 */
final class ReadRegistrations {
    /** How long a read trusts the KB registration it looked up. */
    private static final long KB_CACHE_NANOS = 1_000_000_000L;

    private final KbRegistry kbs;
    private final KbMirrors mirrors;
    private final Map<KbId, Cached> registered = new ConcurrentHashMap<>();
    /** Moves at each change: a lookup that started before one does not cache what it found. */
    private final AtomicLong changes = new AtomicLong();

    ReadRegistrations(KbRegistry kbs, KbMirrors mirrors) {
        this.kbs = kbs;
        this.mirrors = mirrors;
        kbs.whenRemoved(this::removed);
    }

    /** The KB's registration; fails KB_NOT_FOUND. */
    Future<KbConfig> get(KbId kb) {
        Cached cached = registered.get(kb);
        long now = System.nanoTime();
        if (cached != null && now - cached.at() < KB_CACHE_NANOS) {
            return Future.succeededFuture(cached.kb());
        }
        long before = changes.get();
        return kbs.get(kb).compose(found -> {
            if (changes.get() != before) {
                return get(kb); // a removal or registration crossed the lookup: what it found may be gone
            }
            KbConfig config = found.orElseThrow(() -> new NotFoundException("KB_NOT_FOUND", "no KB " + kb.value()));
            registered.put(kb, new Cached(config, now));
            return Future.succeededFuture(config);
        });
    }

    /** {@code kb} was registered (again) on this coordinator. */
    void registered(KbConfig kb) {
        changes.incrementAndGet();
        registered.remove(kb.id());
        mirrors.registered(kb);
    }

    /** {@code kb} was removed (here or elsewhere). */
    void removed(KbId kb) {
        changes.incrementAndGet();
        registered.remove(kb);
        mirrors.forget(kb);
    }

    private record Cached(KbConfig kb, long at) {}
}
