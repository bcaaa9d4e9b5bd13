package dev.kbsync.coordinator.engine.worker;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.service.WorkerRegistry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Worker presence in two keys of one hash slot: {@code kbsync:{workers}:seen} (ZSET, worker id -> last seen, Redis
 * time in ms) and {@code kbsync:{workers}:records} (HASH, worker id -> its presence JSON). Each renewal is one script
 * (one round trip): it stores the record, marks it seen, deletes records silent for the forget window, evicts the
 * least recently seen beyond {@link #MAX_WORKERS}, and lets both keys expire after the forget window (a fleet that
 * stopped leaves nothing behind). Listing prunes the same way and reads both keys in one script. A renewal that makes a
 * worker run agents (its record before, if any, did not) is told to {@code agentJoined}.
 */
public final class RedisWorkerRegistry implements WorkerRegistry {
    static final String SEEN = "kbsync:{workers}:seen";
    static final String RECORDS = "kbsync:{workers}:records";

    private static final String PRUNE = """
            local now = redis.call('time')
            now = now[1] * 1000 + math.floor(now[2] / 1000)
            local forget = tonumber(ARGV[1])
            for _, id in ipairs(redis.call('zrangebyscore', KEYS[1], '-inf', now - forget)) do
              redis.call('hdel', KEYS[2], id)
            end
            redis.call('zremrangebyscore', KEYS[1], '-inf', now - forget)
            """;
    /**
     * Whether a stored record runs agents: its {@code kinds} list {@code agent}, or it has no kinds (every kind, as
     * {@link WorkerPresence#fromJson} reads it).
     */
    private static final String RUNS_AGENTS = """
            local function runs_agents(record)
              local ok, presence = pcall(cjson.decode, record)
              local kinds = ok and type(presence) == 'table' and presence.kinds
              if type(kinds) ~= 'table' then
                return true
              end
              for _, kind in ipairs(kinds) do
                if kind == 'agent' then
                  return true
                end
              end
              return false
            end
            """;
    /**
     * ARGV: forget ms, max workers, worker id, presence JSON. Reply: now (ms), then 1 when the worker's record before
     * (not forgotten) ran agents, else 0.
     */
    private static final String RENEW = PRUNE + RUNS_AGENTS + """
            local before = redis.call('hget', KEYS[2], ARGV[3])
            local ran = before and runs_agents(before) and 1 or 0
            redis.call('zadd', KEYS[1], now, ARGV[3])
            redis.call('hset', KEYS[2], ARGV[3], ARGV[4])
            local over = redis.call('zcard', KEYS[1]) - tonumber(ARGV[2])
            if over > 0 then
              local evicted = redis.call('zpopmin', KEYS[1], over)
              for i = 1, #evicted, 2 do
                redis.call('hdel', KEYS[2], evicted[i])
              end
            end
            redis.call('pexpire', KEYS[1], forget)
            redis.call('pexpire', KEYS[2], forget)
            return {now, ran}
            """;
    /** ARGV: forget ms. Reply: now, then per worker its id, last seen (ms) and presence JSON. */
    private static final String LIST = PRUNE + """
            local out = {now}
            local seen = redis.call('zrange', KEYS[1], 0, -1, 'withscores')
            for i = 1, #seen, 2 do
              local record = redis.call('hget', KEYS[2], seen[i])
              if record then
                out[#out + 1] = seen[i]
                out[#out + 1] = seen[i + 1]
                out[#out + 1] = record
              end
            end
            return out
            """;

    /**
     * ARGV: forget ms. Reply: now, then 1 when workers are known and none runs agents, else 0; stops at the first worker
     * that runs agents.
     */
    private static final String NO_AGENT = PRUNE + RUNS_AGENTS + """
            local known = 0
            for _, id in ipairs(redis.call('zrange', KEYS[1], 0, -1)) do
              local record = redis.call('hget', KEYS[2], id)
              if record then
                known = known + 1
                if runs_agents(record) then
                  return {now, 0}
                end
              end
            end
            return {now, known > 0 and 1 or 0}
            """;

    private final Redis redis;
    private final long ttlMs;
    private final long forgetMs;
    private final Runnable agentJoined;

    /** {@code agentJoined}: runs when a renewal made a worker run agents (stored, not yet answered). */
    public RedisWorkerRegistry(Redis redis, Duration ttl, Runnable agentJoined) {
        this.redis = redis;
        this.agentJoined = agentJoined;
        this.ttlMs = ttl.toMillis();
        this.forgetMs = ttl.toMillis() * FORGET_AFTER_TTLS;
    }

    @Override
    public Future<Worker> renew(String workerId, WorkerPresence presence) {
        return eval(RENEW, forgetMs, MAX_WORKERS, workerId, presence.toJson().encode())
                .map(reply -> {
                    if (presence.kinds().contains(JobKind.AGENT) && number(reply.get(1)) == 0) {
                        agentJoined.run();
                    }
                    return worker(workerId, number(reply.get(0)), number(reply.get(0)), presence);
                });
    }

    @Override
    public Future<List<Worker>> list() {
        return eval(LIST, forgetMs).map(reply -> {
            long now = number(reply.get(0));
            List<Worker> workers = new ArrayList<>();
            for (int i = 1; i + 2 < reply.size(); i += 3) {
                WorkerPresence presence = WorkerPresence.fromJson(new JsonObject(String.valueOf(reply.get(i + 2))));
                workers.add(worker(String.valueOf(reply.get(i)), number(reply.get(i + 1)), now, presence));
            }
            workers.sort(Comparator.comparing(Worker::state).thenComparing(Worker::id));
            return workers;
        });
    }

    /** One script whose answer is a flag, not every record (an agent task's submit and the sweep ask it). */
    @Override
    public Future<Boolean> noAgentWorker() {
        return eval(NO_AGENT, forgetMs).map(reply -> number(reply.get(1)) == 1);
    }

    private Worker worker(String id, long seenMs, long nowMs, WorkerPresence presence) {
        long expires = seenMs + ttlMs;
        return new Worker(
                id,
                nowMs > expires ? Worker.State.GONE : Worker.State.UP,
                Instant.ofEpochMilli(seenMs),
                Instant.ofEpochMilli(expires),
                presence);
    }

    private Future<List<Object>> eval(String script, Object... args) {
        return redis.list(script, true, List.of(SEEN, RECORDS), args);
    }

    private static long number(Object value) {
        return value instanceof Number n ? n.longValue() : (long) Double.parseDouble(String.valueOf(value));
    }
}
