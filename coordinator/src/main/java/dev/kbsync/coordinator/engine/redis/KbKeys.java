package dev.kbsync.coordinator.engine.redis;

import dev.kbsync.api.KbId;
import java.util.List;

/**
 * Redis keys of one KB; all share the hash tag {@code {kb:<id>}} so Redis Cluster keeps them in one slot (the
 * Redisson lock's own keys too: Redisson puts its prefix before a name that already has braces).
 */
public record KbKeys(KbId kb) {
    public String prefix() {
        return "kbsync:{kb:" + kb.value() + "}:";
    }

    public String queue() {
        return prefix() + "queue";
    }

    public String lock() {
        return prefix() + "lock";
    }

    /** Every key of the KB, in the order every per-KB script expects them in {@code KEYS} (see {@code lib.lua}). */
    public List<Object> all() {
        String p = prefix();
        String lock = lock();
        return List.of(
                queue(),
                p + "seq",
                p + "fence",
                p + "lease",
                p + "alive",
                p + "tickets",
                p + "jobs",
                p + "ended",
                p + "driver",
                p + "stats",
                lock,
                "redisson_lock_queue:" + lock,
                "redisson_lock_timeout:" + lock,
                p + "recent",
                p + "failures",
                p + "index");
    }
}
