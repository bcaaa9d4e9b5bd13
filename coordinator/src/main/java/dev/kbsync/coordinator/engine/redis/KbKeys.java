package dev.kbsync.coordinator.engine.redis;

import dev.kbsync.api.KbId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Redis keys of one KB; all share the hash tag {@code {kb:<id>}} so Redis Cluster keeps them in one slot (the
 * Redisson lock's own keys too: Redisson puts its prefix before a name that already has braces).
 */
public record KbKeys(KbId kb) {
    private static final int CACHED = 4096;
    private static final Map<KbId, List<Object>> ALL = new ConcurrentHashMap<>();

    public String prefix() {
        return "kbsync:{kb:" + kb.value() + "}:";
    }

    public String queue() {
        return prefix() + "queue";
    }

    public String lock() {
        return prefix() + "lock";
    }

    /** The KB's registration in its own slot: its duplicate window in seconds (a submit's step checks it). */
    public String conf() {
        return prefix() + "conf";
    }

    /**
     * The keys of the KB's finished records (tickets, jobs, ended set, job index, due webhooks), which a removal keeps
     * for the retention (remove.lua) and a registration keeps for good again.
     */
    public List<String> records() {
        String p = prefix();
        return List.of(p + "tickets", p + "jobs", p + "ended", p + "index", p + "hooks");
    }

    /** An idempotency key of {@code user} on this KB -> the first job's ticket, kept for the job retention. */
    public String idempotency(String user, String key) {
        return "kbsync:idem:{kb:" + kb.value() + "}:" + user + ":" + key;
    }

    /**
     * A journal job restored onto the first job of its idempotency key (that request was stored in Redis, answered
     * late and retried during the outage) -> the first job's id, kept for the job retention: the id its 202 named
     * answers that job.
     */
    public String restoredAs(String jobId) {
        return "kbsync:restored:{kb:" + kb.value() + "}:" + jobId;
    }

    /** The KB's duplicate check: SHA-256 over user and content -> the first job's ticket, for the KB's window. */
    public String duplicate(String contentHash) {
        return "kbsync:dedupe:{kb:" + kb.value() + "}:" + contentHash;
    }

    /** Whether {@code key} is in this KB's slot (it has the KB's hash tag). */
    public boolean holds(String key) {
        int open = key.indexOf('{');
        int close = open < 0 ? -1 : key.indexOf('}', open + 1);
        return close > open + 1 && key.substring(open, close + 1).equals("{kb:" + kb.value() + "}");
    }

    /**
     * Every key of the KB, in the order every per-KB script expects them in {@code KEYS} (see {@code lib.lua}); kept for
     * the most recent {@value #CACHED} KBs, since every script call declares them.
     */
    public List<Object> all() {
        List<Object> known = ALL.get(kb);
        if (known != null) {
            return known;
        }
        List<Object> keys = build();
        if (ALL.size() >= CACHED) {
            ALL.clear(); // a bound, not an eviction policy: the next calls fill it again
        }
        ALL.put(kb, keys);
        return keys;
    }

    private List<Object> build() {
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
                p + "index",
                p + "hooks");
    }
}
