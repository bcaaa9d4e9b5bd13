package dev.kbsync.cli.doctor;

import java.time.Duration;
import org.redisson.api.redisnode.RedisNode;
import org.redisson.client.protocol.Time;

/**
 * This host's clock against Redis's ({@code TIME}). Grants and expiries are stamped with Redis's time and compared
 * with clocks elsewhere (a worker's lease deadline, the times a user sees), so the clocks must agree.
 */
final class Clock {
    static final String NAME = "clock skew";
    static final Duration WARN = Duration.ofMillis(500);
    static final Duration FAIL = Duration.ofSeconds(5);

    private Clock() {}

    static Check skew(RedisNode node) {
        long before = System.currentTimeMillis();
        Time time = node.time();
        long after = System.currentTimeMillis();
        long redisMs = time.getSeconds() * 1000L + time.getMicroseconds() / 1000;
        return judge(redisMs - (before + after) / 2, Duration.ofMillis(after - before));
    }

    /** {@code skewMs}: Redis minus this host, measured over a round trip of {@code rtt}. */
    static Check judge(long skewMs, Duration rtt) {
        Duration skew = Duration.ofMillis(Math.abs(skewMs));
        String seen = (skewMs >= 0 ? "Redis is " + skewMs + " ms ahead of" : "Redis is " + -skewMs + " ms behind")
                + " this host (round trip " + rtt.toMillis() + " ms)";
        if (skew.compareTo(FAIL) > 0) {
            return Check.fail(NAME, seen + "; synchronise both clocks (NTP)");
        }
        return skew.compareTo(WARN) > 0 ? Check.warn(NAME, seen + "; check NTP on both") : Check.pass(NAME, seen);
    }
}
