package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.JobKind;
import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import java.util.List;
import java.util.Set;
import org.redisson.api.RScoredSortedSet;
import org.redisson.api.RScript;
import org.redisson.client.codec.StringCodec;

/**
 * The ready sets, one per job kind: the KBs whose job grant of that kind waits for a worker, by the time each became
 * ready. A worker takes from the sets of the kinds it runs, the KB that became ready first across them, so a worker
 * without an agent never takes an agent job's grant and one that runs both serves both in order. Note grants live in
 * {@code kbsync:ready}, agent grants in {@code {kbsync:ready}:agent}: one Redis Cluster slot, so one step reads both.
 */
final class ReadySets {
    static final String NOTES = "kbsync:ready";
    static final String AGENTS = "{kbsync:ready}:agent";

    /** Takes the earliest entry across KEYS (by score), or nil. */
    private static final String TAKE_EARLIEST = """
            local best, score, from = nil, nil, nil
            for _, key in ipairs(KEYS) do
              local first = redis.call('zrange', key, 0, 0, 'WITHSCORES')
              if first[1] and (not score or tonumber(first[2]) < score) then
                best, score, from = first[1], tonumber(first[2]), key
              end
            end
            if best then
              redis.call('zrem', from, best)
            end
            return best
            """;

    private final Redis redis;
    private final RScoredSortedSet<String> notes;
    private final RScoredSortedSet<String> agents;

    ReadySets(Redis redis) {
        this.redis = redis;
        this.notes = redis.client().getScoredSortedSet(NOTES, StringCodec.INSTANCE);
        this.agents = redis.client().getScoredSortedSet(AGENTS, StringCodec.INSTANCE);
    }

    RScoredSortedSet<String> of(JobKind kind) {
        return kind == JobKind.AGENT ? agents : notes;
    }

    /** Takes the KB that became ready first among the sets of {@code kinds}; null when they are all empty. */
    Future<String> take(Set<JobKind> kinds) {
        if (kinds.size() == 1) {
            return redis.on(of(kinds.iterator().next()).pollFirstAsync());
        }
        return redis.on(Redis.steps(redis.client())
                .evalAsync(
                        NOTES,
                        RScript.Mode.READ_WRITE,
                        TAKE_EARLIEST,
                        RScript.ReturnType.VALUE,
                        List.<Object>of(NOTES, AGENTS)));
    }
}
