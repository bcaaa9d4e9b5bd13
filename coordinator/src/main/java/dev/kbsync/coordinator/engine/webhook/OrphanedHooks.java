package dev.kbsync.coordinator.engine.webhook;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.redis.Script;
import io.vertx.core.Future;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Removed KBs whose webhook deliveries may not all be over, in one sorted set of its own hash slot, {@code
 * kbsync:{hooks}:orphans} (KB id -> when its last delivery may be due: Redis time in ms at the removal, plus the retry
 * window and one delivery lease). Every coordinator reads it at each sweep, so a coordinator started after a removal
 * delivers too. An entry leaves once a look at the KB finds no delivery left, or once its time has passed; the set is
 * never written by a per-KB script (a Cluster script must not touch two slots).
 */
final class OrphanedHooks {
    static final String KEY = "kbsync:{hooks}:orphans";
    /** The most removed KBs one sweep looks at (the earliest ending first). */
    private static final int MAX = 100;

    /** ARGV: KB id, window (ms). Sets the KB's end to now + window unless it ends later already. */
    private static final String KEEP = Script.withLibrary("""
            local last = nowMs() + tonumber(ARGV[2])
            local old = redis.call('zscore', KEYS[1], ARGV[1])
            if not old or tonumber(old) < last then
              redis.call('zadd', KEYS[1], last, ARGV[1])
            end
            return 1
            """);
    /** ARGV: at most. Drops the entries whose time has passed; reply: the others, id then end, earliest first. */
    private static final String DUE = Script.withLibrary("""
            local now = nowMs()
            redis.call('zremrangebyscore', KEYS[1], '-inf', now)
            return redis.call('zrangebyscore', KEYS[1], now, '+inf', 'withscores', 'limit', 0, tonumber(ARGV[1]))
            """);
    /** ARGV: KB id, end read. Drops the KB unless it was removed again since (its end moved). */
    private static final String DROP = """
            local end_ = redis.call('zscore', KEYS[1], ARGV[1])
            if end_ and tonumber(end_) == tonumber(ARGV[2]) then
              return redis.call('zrem', KEYS[1], ARGV[1])
            end
            return 0
            """;

    private final Redis redis;
    private final long windowMs;

    /** {@code windowMs}: how long after a removal one of the KB's deliveries may still be due. */
    OrphanedHooks(Redis redis, long windowMs) {
        this.redis = redis;
        this.windowMs = windowMs;
    }

    /** Records {@code kb}, about to be removed, for the retry window and one lease from now. */
    Future<Void> keep(KbId kb) {
        return eval(KEEP, kb.value(), windowMs).mapEmpty();
    }

    /** The removed KBs whose deliveries may not all be over, each with its end (as {@link #drop} takes it). */
    Future<Map<KbId, String>> due() {
        return eval(DUE, MAX).map(reply -> {
            Map<KbId, String> due = new LinkedHashMap<>();
            for (int i = 0; i + 1 < reply.size(); i += 2) {
                due.put(KbId.of(String.valueOf(reply.get(i))), String.valueOf(reply.get(i + 1)));
            }
            return due;
        });
    }

    /** {@code kb} has no delivery left: it leaves the set, unless it was kept again since {@code end} was read. */
    Future<Void> drop(KbId kb, String end) {
        return eval(DROP, kb.value(), end).mapEmpty();
    }

    private Future<List<Object>> eval(String script, Object... args) {
        return redis.list(script, false, List.of(KEY), args);
    }
}
