package dev.kbsync.coordinator.degraded;

import static dev.kbsync.coordinator.degraded.WaitingForRedis.awaitNoClientLeftBehind;
import static dev.kbsync.coordinator.degraded.WaitingForRedis.redissonThreads;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A coordinator with a journal, started while Redis is down (killed, or SIGSTOPped so that connections hang), stops
 * cleanly and within its bound while it waits for Redis, and leaves no Redis client behind (the start of
 * {@link DegradedStartIT}'s coordinators, stopped instead of restored).
 */
@TimingSensitive
class DegradedStopIT {
    private static final Logger LOG = LoggerFactory.getLogger(DegradedStopIT.class);

    @RegisterExtension
    static final RedisExtension redis = RedisExtension.appendOnly();

    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() {
        vertx.close().await();
    }

    private static CoordinatorConfig config(Optional<Path> journal) {
        return WaitingForRedis.config(redis, journal);
    }

    @Test
    void shouldStopCleanlyWhileWaitingForRedis(@TempDir Path dir) throws Exception {
        Path journal = dir.resolve("journal");
        long redissonThreads = redissonThreads();
        redis.process().kill();
        try {
            Coordinator waiting =
                    Coordinator.start(vertx, config(Optional.of(journal))).await(20, TimeUnit.SECONDS);
            assertThat(new Http(waiting.port()).note("conf", "u", "t").status()).isEqualTo(202);
            Thread.sleep(7000); // the first attempt failed (the Redis client gives up after ~5 s), a second under way
            long stopping = System.nanoTime();
            waiting.stop().await(10, TimeUnit.SECONDS);
            LOG.info("stopped while waiting for Redis in {} ms", (System.nanoTime() - stopping) / 1_000_000);
            awaitNoClientLeftBehind(redissonThreads);
            // the journal's directory is free again: the next coordinator opens it (and restores its note later)
            Coordinator next =
                    Coordinator.start(vertx, config(Optional.of(journal))).await(20, TimeUnit.SECONDS);
            next.stop().await(10, TimeUnit.SECONDS);
        } finally {
            redis.process().restart();
        }
    }

    @Test
    void shouldStopWithinItsBoundWhileRedisHangs(@TempDir Path dir) throws Exception {
        long redissonThreads = redissonThreads();
        redis.process().pause();
        try {
            Coordinator hanging = Coordinator.start(vertx, config(Optional.of(dir.resolve("journal"))))
                    .await(20, TimeUnit.SECONDS);
            long stopping = System.nanoTime();
            hanging.stop().await(15, TimeUnit.SECONDS);
            long stopMs = (System.nanoTime() - stopping) / 1_000_000;
            LOG.info("stopped while Redis hangs in {} ms", stopMs);
            assertThat(stopMs)
                    .as("the attempt under way is waited for up to 5 s")
                    .isLessThan(8_000);
        } finally {
            redis.process().resume();
        }
        // the attempt that was under way ends once Redis answers, and stops what it started itself
        await().atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> redissonThreads() <= redissonThreads);
    }
}
