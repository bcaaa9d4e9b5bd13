package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** What {@link DegradedStartIT} and {@link DegradedStopIT} share: a coordinator's config and its Redis client's threads. */
final class WaitingForRedis {
    private WaitingForRedis() {}

    /** A coordinator of KB {@code conf} on {@code redis}, with a journal in {@code journal} if given. */
    static CoordinatorConfig config(RedisExtension redis, Optional<Path> journal) {
        return config(redis, journal, "conf=/srv/git/conf.git#main");
    }

    /** A coordinator of the KBs {@code kbs} ({@code KBSYNC_KBS}) on {@code redis}, with a journal if given. */
    static CoordinatorConfig config(RedisExtension redis, Optional<Path> journal, String kbs) {
        return config(redis, journal, kbs, Map.of());
    }

    /** {@link #config(RedisExtension, Optional, String)} with {@code more} settings ({@code KBSYNC_*}) on top. */
    static CoordinatorConfig config(
            RedisExtension redis, Optional<Path> journal, String kbs, Map<String, String> more) {
        Map<String, String> env = new HashMap<>(Map.of(
                "KBSYNC_COORDINATOR_ID", "c1",
                "KBSYNC_HTTP_PORT", "0",
                "KBSYNC_AUTH_ENABLED", "false",
                "KBSYNC_REDIS_ADDRESS", redis.uri(),
                "KBSYNC_KBS", kbs));
        journal.ifPresent(dir -> env.put("KBSYNC_DEGRADED_JOURNAL_DIR", dir.toString()));
        env.putAll(more);
        return CoordinatorConfig.load(Optional.empty(), env);
    }

    /**
     * A client whose start failed shuts its threads down on its own, some seconds later on a loaded machine: they
     * must all be gone soon, not at once.
     */
    static void awaitNoClientLeftBehind(long before) {
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(250))
                .untilAsserted(() -> assertThat(redissonThreads())
                        .as("no Redis client left behind")
                        .isLessThanOrEqualTo(before));
    }

    static long redissonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("redisson"))
                .count();
    }
}
