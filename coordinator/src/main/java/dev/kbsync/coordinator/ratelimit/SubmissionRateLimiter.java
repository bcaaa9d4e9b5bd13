package dev.kbsync.coordinator.ratelimit;

import dev.kbsync.coordinator.error.RateLimitedException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.redisson.api.RScript;
import org.redisson.api.RedissonClient;
import org.redisson.client.codec.StringCodec;

/**
 * A sliding-window limit per user, kept in a Redis ZSET {@code kbsync:rl:{<user>}} (one entry per accepted
 * submission, scored by time) and checked atomically by a Lua script, so every coordinator shares the window.
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
    private final int submissions;
    private final Duration window;

    public SubmissionRateLimiter(RedissonClient redisson, Clock clock, int submissions, Duration window) {
        this.redisson = redisson;
        this.clock = clock;
        this.submissions = submissions;
        this.window = window;
    }

    /** Counts one submission for {@code user} if the window has room. Completes on {@code context}. */
    public Future<RateDecision> acquire(String user, Context context) {
        long now = clock.millis();
        List<Object> keys = List.of("kbsync:rl:{" + user + "}");
        return Future.<List<Long>>fromCompletionStage(
                        redisson.getScript(StringCodec.INSTANCE)
                                .evalAsync(
                                        keys.get(0).toString(),
                                        RScript.Mode.READ_WRITE,
                                        SCRIPT,
                                        RScript.ReturnType.LIST,
                                        keys,
                                        Long.toString(now),
                                        Long.toString(window.toMillis()),
                                        Integer.toString(submissions),
                                        now + ":" + UUID.randomUUID()),
                        context)
                .map(SubmissionRateLimiter::decision);
    }

    /** Like {@link #acquire} but fails with {@link RateLimitedException} when limited. */
    public Future<Integer> check(String user, Context context) {
        return acquire(user, context).map(this::remainingOrThrow);
    }

    private int remainingOrThrow(RateDecision decision) {
        if (decision instanceof RateDecision.Limited limited) {
            long seconds = Math.max(1, (limited.retryAfter().toMillis() + 999) / 1000);
            throw new RateLimitedException(
                    Duration.ofSeconds(seconds),
                    limited.remaining(),
                    "rate limit: " + submissions + " submissions per " + window.toSeconds() + " s; try again in "
                            + seconds + " s (" + limited.remaining() + " left)");
        }
        return decision.remaining();
    }

    private static RateDecision decision(List<Long> reply) {
        int remaining = reply.get(1).intValue();
        return reply.get(0) == 1L
                ? new RateDecision.Allowed(remaining)
                : new RateDecision.Limited(remaining, Duration.ofMillis(Math.max(0, reply.get(2))));
    }
}
