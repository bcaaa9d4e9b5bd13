package dev.kbsync.coordinator.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.coordinator.error.RateLimitedException;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.redisson.Redisson;
import org.redisson.api.RedissonClient;
import org.redisson.config.Config;

class SubmissionRateLimiterIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static Vertx vertx;
    private static RedissonClient first;
    private static RedissonClient second;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        first = client();
        second = client();
    }

    @AfterAll
    static void stop() {
        first.shutdown();
        second.shutdown();
        vertx.close().await();
    }

    private static RedissonClient client() {
        Config config = new Config();
        config.useSingleServer().setAddress(redis.uri());
        return Redisson.create(config);
    }

    /** A clock tests move by hand. */
    static final class ManualClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private static final int LIMIT = 3;

    private static RateDecision acquire(SubmissionRateLimiter limiter, String user) {
        Context context = vertx.getOrCreateContext();
        return limiter.acquire(Window.user(user, limits.get()), context).await();
    }

    /** The per-user limit the next {@link #acquire} uses. */
    private static final ThreadLocal<Integer> limits = ThreadLocal.withInitial(() -> LIMIT);

    private static SubmissionRateLimiter limiter(RedissonClient client, Clock clock, int limit) {
        limits.set(limit);
        return new SubmissionRateLimiter(client, clock, Duration.ofSeconds(60));
    }

    @Test
    void shouldAllowTheLimitThenRefuseWithTheTimeUntilTheOldestLeavesTheWindow() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter limiter = limiter(first, clock, 3);

        assertThat(acquire(limiter, "alice")).isEqualTo(new RateDecision.Allowed(2));
        clock.advance(Duration.ofSeconds(10));
        assertThat(acquire(limiter, "alice")).isEqualTo(new RateDecision.Allowed(1));
        assertThat(acquire(limiter, "alice")).isEqualTo(new RateDecision.Allowed(0));
        clock.advance(Duration.ofSeconds(2));

        assertThat(acquire(limiter, "alice")).isEqualTo(new RateDecision.Limited(0, Duration.ofSeconds(48)));
        assertThat(acquire(limiter, "bob")).isEqualTo(new RateDecision.Allowed(2));
    }

    @Test
    void shouldSlideTheWindowSoOldSubmissionsStopCounting() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter limiter = limiter(first, clock, 2);
        acquire(limiter, "carol");
        clock.advance(Duration.ofSeconds(30));
        acquire(limiter, "carol");
        assertThat(acquire(limiter, "carol")).isInstanceOf(RateDecision.Limited.class);

        clock.advance(Duration.ofSeconds(31));

        assertThat(acquire(limiter, "carol")).isEqualTo(new RateDecision.Allowed(0));
        assertThat(acquire(limiter, "carol")).isEqualTo(new RateDecision.Limited(0, Duration.ofSeconds(29)));
    }

    @Test
    void shouldShareOneWindowBetweenTwoCoordinators() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter one = limiter(first, clock, 4);
        SubmissionRateLimiter two = limiter(second, clock, 4);

        assertThat(acquire(one, "dave").remaining()).isEqualTo(3);
        assertThat(acquire(two, "dave").remaining()).isEqualTo(2);
        assertThat(acquire(one, "dave").remaining()).isEqualTo(1);
        assertThat(acquire(two, "dave").remaining()).isEqualTo(0);

        assertThat(acquire(one, "dave")).isInstanceOf(RateDecision.Limited.class);
        assertThat(acquire(two, "dave")).isInstanceOf(RateDecision.Limited.class);
    }

    @Test
    void shouldFailWithAReadableMessageAndRetryAfterRoundedUpToSeconds() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter limiter = limiter(first, clock, 1);
        limiter.check(List.of(Window.user("erin", 1)), vertx.getOrCreateContext())
                .await();
        clock.advance(Duration.ofMillis(47_500));

        assertThatThrownBy(() -> limiter.check(List.of(Window.user("erin", 1)), vertx.getOrCreateContext())
                        .await())
                .isInstanceOfSatisfying(RateLimitedException.class, e -> {
                    assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(13));
                    assertThat(e.remaining()).isZero();
                    assertThat(e.code()).isEqualTo("RATE_LIMITED");
                })
                .hasMessage("rate limit of user erin: 1 submissions per 60 s; try again in 13 s (0 left)");
    }

    @Test
    void shouldCountASubmissionInEveryWindowOrInNone() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter limiter = limiter(first, clock, 1);
        List<Window> windows = List.of(Window.user("gina", 5), Window.kb("team-a", 2), Window.token("bot", 10));
        Context context = vertx.getOrCreateContext();

        assertThat(limiter.check(windows, context).await()).isEqualTo(1);
        assertThat(limiter.check(windows, context).await()).isZero();
        assertThatThrownBy(() -> limiter.check(windows, context).await())
                .isInstanceOfSatisfying(
                        RateLimitedException.class, e -> assertThat(e.code()).isEqualTo("KB_RATE_LIMITED"))
                .hasMessageStartingWith("rate limit of KB team-a: 2 submissions per 60 s");

        assertThat(first.getScoredSortedSet("kbsync:rl:{gina}").size())
                .as("the refused submission left nothing in the user's window")
                .isEqualTo(2);
        assertThat(first.getScoredSortedSet("kbsync:rl:token:{bot}").size()).isEqualTo(2);
        assertThat(first.getKeys().getKeysStream().toList()).contains("kbsync:{kb:team-a}:rl");
        assertThatThrownBy(() -> limiter.check(List.of(Window.token("bot", 2), Window.token("bot", 2)), context)
                        .await())
                .isInstanceOfSatisfying(
                        RateLimitedException.class, e -> assertThat(e.code()).isEqualTo("TOKEN_QUOTA_EXCEEDED"));
    }

    /**
     * A window that cannot be counted (its Redis node down or failing: the submission answers 503) takes the submission
     * back out of the windows counted before it: a client retrying per Retry-After must not fill its windows with
     * submissions none of which was accepted.
     */
    @Test
    void shouldTakeASubmissionBackOutOfEveryWindowWhenALaterOneCannotBeCounted() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter limiter = limiter(first, clock, 1);
        List<Window> windows = List.of(Window.user("hana", 5), Window.kb("team-h", 5));
        first.getBucket("kbsync:{kb:team-h}:rl", org.redisson.client.codec.StringCodec.INSTANCE)
                .set("not a window"); // its script fails, as on a node that cannot answer
        Context context = vertx.getOrCreateContext();

        assertThatThrownBy(() -> limiter.check(windows, context).await()).isNotInstanceOf(RateLimitedException.class);

        assertThat(first.getScoredSortedSet("kbsync:rl:{hana}").size())
                .as("nothing left in the user's window")
                .isZero();
    }

    @Test
    void shouldKeepOneExpiringKeyPerUserWithTheHashTag() {
        ManualClock clock = new ManualClock();
        SubmissionRateLimiter limiter = limiter(first, clock, 5);
        acquire(limiter, "frank@example.org");

        assertThat(first.getKeys().getKeysStream().toList()).contains("kbsync:rl:{frank@example.org}");
        assertThat(first.getKeys().remainTimeToLive("kbsync:rl:{frank@example.org}"))
                .isBetween(1L, 60_000L);
    }
}
