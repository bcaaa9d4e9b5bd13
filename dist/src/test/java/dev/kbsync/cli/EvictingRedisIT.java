package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.RespClient;
import dev.kbsync.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Redis whose {@code maxmemory-policy} may evict keys (a KB's {@code :lease} and {@code :fence} among them) is
 * refused by the coordinator at start: {@code kbsync coordinator} and {@code kbsync up --redis} say so in one {@code
 * error:} line naming the policy and the setting that allows it, exit 2 (a setting to change), without a stack trace;
 * {@code kbsync up} honours {@code KBSYNC_REDIS_ALLOW_EVICTION} as the coordinator does.
 */
class EvictingRedisIT {
    private static final Duration EXIT = UpProcess.START;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path dir;

    private Path logs;

    @BeforeAll
    static void evicting() {
        RespClient.once(redis.port(), Duration.ofSeconds(2), "CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
    }

    @BeforeEach
    void logs(TestInfo test) {
        logs = Path.of(
                "target", "EvictingRedisIT", test.getTestMethod().orElseThrow().getName());
    }

    @Test
    void shouldRefuseTheCoordinatorInOneLineNamingThePolicyAndTheSetting() throws Exception {
        try (UpProcess coordinator = UpProcess.spawn(
                KbsyncCli.class,
                logs,
                "coordinator",
                List.of("coordinator"),
                Map.of(
                        "KBSYNC_REDIS_ADDRESS", redis.uri(),
                        "KBSYNC_HTTP_PORT", "0",
                        "KBSYNC_AUTH_ENABLED", "false"))) {
            assertThat(coordinator.awaitExit(EXIT)).as(coordinator.errors()).isEqualTo(ExitCodes.USAGE);
            List<String> lines = coordinator
                    .errors()
                    .lines()
                    .filter(l -> !l.contains("level="))
                    .toList();
            assertThat(lines)
                    .singleElement()
                    .asString()
                    .startsWith("error: Redis 127.0.0.1:" + redis.port() + " (maxmemory-policy allkeys-lru) may evict"
                            + " keys")
                    .contains("maxmemory-policy noeviction", "KBSYNC_REDIS_ALLOW_EVICTION")
                    .doesNotContain("--verbose", "unexpected");
            assertThat(coordinator.errors()).as("no stack trace").doesNotContain("\tat ", "Caused by");
        }
    }

    @Test
    void shouldRefuseUpInOneLineAndStartItWhenEvictionIsAllowed() throws Exception {
        List<String> args =
                List.of("up", "--port", "0", "--workers", "1", "--redis", redis.uri(), "--data-dir", dir.toString());
        try (UpProcess up = UpProcess.spawn(KbsyncCli.class, logs, "refused", args)) {
            assertThat(up.awaitExit(EXIT)).as(up.errors()).isEqualTo(ExitCodes.USAGE);
            assertThat(up.errors().lines())
                    .singleElement()
                    .asString()
                    .startsWith("error: Redis 127.0.0.1:" + redis.port() + " (maxmemory-policy allkeys-lru) may evict"
                            + " keys")
                    .contains("KBSYNC_REDIS_ALLOW_EVICTION")
                    .doesNotContain("unexpected", "--verbose");
            assertThat(up.output()).isEmpty();
        }
        try (UpProcess up = UpProcess.spawn(
                KbsyncCli.class, logs, "allowed", args, Map.of("KBSYNC_REDIS_ALLOW_EVICTION", "true"))) {
            up.awaitUp(EXIT);
            up.signal("TERM");
            assertThat(up.awaitExit(EXIT)).as("128 + SIGTERM").isEqualTo(143);
        }
    }
}
