package dev.kbsync.coordinator.ratelimit;

import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.error.RateLimitedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * Sliding-window submission limits kept in Redis ZSETs (one entry per counted submission, scored by time), each checked
 * and counted atomically by a Lua script, so every coordinator shares the windows. On one Redis master a submit counts
 * in its windows in its own step (submit.lua, same ZSETs, same rules); on a Cluster the windows live in other slots
 * than the KB's, so this limiter counts them before the step: in all its {@link Window}s (user, KB, token) or in none,
 * taken one by one, the entries already counted removed again when a later window is full (or the step refuses). A
 * user's or token's window whose shard does not answer is skipped there if {@link UnreachableWindows} says so.
 */
public final class SubmissionRateLimiter {
    private static final String SCRIPT = """
            local now = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local limit = tonumber(ARGV[3])
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
            local count = redis.call('ZCARD', KEYS[1])
            if count < limit then
              redis.call('ZADD', KEYS[1], now, ARGV[4])
              redis.call('PEXPIRE', KEYS[1], window)
              return {1, limit - count - 1, 0}
            end
            local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
            return {0, 0, tonumber(oldest[2]) + window - now}
            """;

    private final RedissonClient redisson;
    private final Clock clock;
    private final Duration window;
    private final UnreachableWindows unreachable;

    /** A limiter that refuses a submission when one of its windows cannot be counted in. */
    public SubmissionRateLimiter(RedissonClient redisson, Clock clock, Duration window) {
        this(redisson, clock, window, UnreachableWindows.NONE);
    }

    /** A limiter that lets a submission through the windows {@code unreachable} skips when they cannot be counted in. */
    public SubmissionRateLimiter(
            RedissonClient redisson, Clock clock, Duration window, UnreachableWindows unreachable) {
        this.redisson = redisson;
        this.clock = clock;
        this.window = window;
        this.unreachable = unreachable;
    }

    /** Counts one submission in {@code limit} if it has room. Completes on {@code context}. */
    public Future<RateDecision> acquire(Window limit, Context context) {
        return acquire(limit, member(clock), context);
    }

    /**
     * Counts one submission in every window or, when one is full, in none and fails with {@link RateLimitedException}
     * (the full window's code); when one cannot be counted (Redis unavailable), in none either, failing as that window
     * did, unless {@link UnreachableWindows} skips it (not counted in, not limiting). Completes with the least room left
     * in the windows counted in.
     */
    public Future<Integer> check(List<Window> windows, Context context) {
        return check(windows, member(clock), context);
    }

    /** {@link #check(List, Context)} as the submission {@code member} (see {@link #member(Clock)}). */
    public Future<Integer> check(List<Window> windows, String member, Context context) {
        return take(windows, 0, member, new ArrayList<>(), Integer.MAX_VALUE, context);
    }

    /** Takes a counted submission back out of {@code windows} (a later check refused it). */
    public Future<Void> uncount(List<Window> windows, String member, Context context) {
        return Future.join(windows.stream().map(w -> remove(w, member, context)).toList())
                .mapEmpty();
    }

    private Future<Integer> take(
            List<Window> windows, int next, String member, List<Window> taken, int least, Context context) {
        if (next == windows.size()) {
            return Future.succeededFuture(least);
        }
        Window limit = windows.get(next);
        return acquire(limit, member, context).transform(counted -> {
            if (counted.failed() && unreachable.skips(limit, counted.cause())) {
                // a late answer may still count it there: one entry too many in that window, never one too few
                return take(windows, next + 1, member, taken, least, context);
            }
            if (counted.failed()) { // not counted for sure (a late answer may have counted it): out of every window
                List<Window> touched = new ArrayList<>(taken);
                touched.add(limit);
                return uncount(touched, member, context).transform(done -> Future.failedFuture(counted.cause()));
            }
            RateDecision decision = counted.result();
            if (decision instanceof RateDecision.Limited limited) {
                return uncount(taken, member, context)
                        .transform(done -> Future.failedFuture(refusal(limit, limited, window)));
            }
            unreachable.counted(limit);
            taken.add(limit);
            return take(windows, next + 1, member, taken, Math.min(least, decision.remaining()), context);
        });
    }

    private Future<RateDecision> acquire(Window limit, String member, Context context) {
        long now = clock.millis();
        return Future.<List<Long>>fromCompletionStage(
                        Redis.steps(redisson) // a window counts a submission once
                                .evalAsync(
                                        limit.key(),
                                        RScript.Mode.READ_WRITE,
                                        SCRIPT,
                                        RScript.ReturnType.LIST,
                                        List.of(limit.key()),
                                        Long.toString(now),
                                        Long.toString(window.toMillis()),
                                        Integer.toString(limit.limit()),
                                        member),
                        context)
                .recover(Redis::unavailable)
                .map(SubmissionRateLimiter::decision);
    }

    private Future<Boolean> remove(Window limit, String member, Context context) {
        return Future.fromCompletionStage(
                redisson.getScoredSortedSet(limit.key(), StringCodec.INSTANCE).removeAsync(member), context);
    }

    /** The 429 for a submission {@code limit} refused ({@code window}: the windows' length). */
    public static RateLimitedException refusal(Window limit, RateDecision.Limited limited, Duration window) {
        long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
        return new RateLimitedException(
                limit.code(),
                Duration.ofSeconds(seconds),
                limited.remaining(),
                "rate limit of " + limit.what() + ": " + limit.limit() + " submissions per " + window.toSeconds()
                        + " s; try again in " + seconds + " s (" + limited.remaining() + " left)");
    }

    /** A submission's entry in the windows: unique, and at the time {@code clock} tells. */
    public static String member(Clock clock) {
        return clock.millis() + ":" + UUID.randomUUID();
    }

    private static RateDecision decision(List<Long> reply) {
        int remaining = reply.get(1).intValue();
        return reply.get(0) == 1L
                ? new RateDecision.Allowed(remaining)
                : new RateDecision.Limited(remaining, Duration.ofMillis(Math.max(0, reply.get(2))));
    }
}
