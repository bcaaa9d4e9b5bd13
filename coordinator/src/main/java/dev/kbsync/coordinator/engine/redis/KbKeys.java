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

    /**
     * The key a durable step writes after its script, on the same connection, before its {@code WAIT}: in the KB's
     * slot, so that on a Cluster it goes to the script's master and connection.
     *
     * <p>{@code WAIT} counts the replicas that acknowledged the connection's own writes, up to the replication offset
     * the connection last wrote at (Redis 7.2 and later, Valkey: a command that propagates nothing leaves it as it was;
     * Redis 7.0 moves it with every command). A script that finds its work already done writes nothing: a submit
     * retried with its idempotency key (or a duplicate) whose first attempt was refused 503 REPLICATION_TIMEOUT, a
     * journal's job restored onto a job already stored. Its {@code WAIT} would then check an old offset of a pooled
     * connection that wrote nothing since, answer at once, and the caller would be told of a job or grant only the
     * master has, which a failover loses. The write replicates after everything the master ran before it, so its
     * confirmation confirms the script's state too, whoever wrote it.
     */
    public String ack() {
        return prefix() + "ack";
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
        return List.of(p + "tickets", p + "jobs", p + "ended", p + "index", p + "hooks", claims());
    }

    /**
     * What names a job besides its own id, kept as long as that job's record (the sweep deletes them with it): a hash
     * of the KB's idempotency keys ({@code i:<user>:<key>} -> the first job's ticket) and of the ids a degraded
     * coordinator's journal gave jobs restored onto the first job of their idempotency key ({@code r:<ticket>} -> that
     * job's ticket; that request was stored in Redis, answered late and retried during the outage, so the id its 202
     * named answers that job). The job's ticket names them (lib.lua: ik, ra).
     */
    public String claims() {
        return prefix() + "claims";
    }

    /** The field of {@link #claims()} that holds an idempotency key of {@code user} on this KB. */
    public static String idempotencyField(String user, String key) {
        return "i:" + user + ":" + key;
    }

    /**
     * An idempotency key as an earlier version kept it (its own key, expiring at the job retention counted from the
     * submit): read by a submit until it expires, never written.
     */
    public String idempotency(String user, String key) {
        return "kbsync:idem:{kb:" + kb.value() + "}:" + user + ":" + key;
    }

    /** The field of {@link #claims()} naming the job a journal job's ticket was restored onto. */
    public static String restoredField(String ticket) {
        return "r:" + ticket;
    }

    /**
     * A journal job restored onto another, as an earlier version kept it (its own key, the job retention from the
     * restore as its expiry: full job id -> the first job's id): read until it expires, never written.
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
                p + "hooks",
                claims());
    }
}
