package dev.kbsync.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A supervised Redis ({@link RedisProcess#restartOnExit()}) is started again after an exit even when its first
 * restart fails (a start that fails is tried again while the restart budget lasts), and a start counts only once the
 * started process itself answers: a Redis already on the port is not taken for it.
 */
class RedisSupervisionIT {
    private static final Duration CALL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    @TempDir
    Path other;

    @Test
    void shouldStartRedisAgainWhenItsFirstRestartFailed() throws Exception {
        try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            RespClient.once(redis.port(), redis.password(), CALL, "SET", "note", "kept");
            Path manifest;
            try (Stream<Path> files = Files.walk(dir)) {
                manifest = files.filter(f -> f.toString().endsWith(".manifest"))
                        .findFirst()
                        .orElse(null);
            }
            assumeTrue(manifest != null, "a redis-server older than 7 (no append-only manifest) runs here");
            String kept = Files.readString(manifest);
            redis.restartOnExit();
            long pid = redis.pid();

            Files.writeString(manifest, "not a manifest\n"); // the next start exits at once
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            Thread.sleep(1_500); // the restart ran into the damaged file, and failed
            Files.writeString(manifest, kept);

            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions()
                    .until(() -> "kept".equals(RespClient.once(redis.port(), redis.password(), CALL, "GET", "note")));
            assertThat(redis.pid()).isNotEqualTo(pid);
        }
    }

    @Test
    void shouldNotTakeAnotherRedisOnItsPortForTheOneItStarted() {
        try (RedisProcess first = RedisProcess.start(dir)) {
            for (int i = 0; i < 3; i++) {
                assertThatThrownBy(() -> RedisProcess.start(other, first.port(), List.of())
                                .close())
                        .as("a second redis-server on port %d", first.port())
                        .isInstanceOf(IllegalStateException.class);
            }
            assertThat(first.isAlive()).isTrue();
        }
    }

    @Test
    void shouldRefuseADataDirectoryOfANewerRedisThanTheOneItWouldRun() throws IOException {
        try (RedisProcess redis = RedisProcess.startPersistent(dir, Fsync.ALWAYS)) {
            RespClient.once(redis.port(), redis.password(), CALL, "SET", "note", "kept");
        }
        assumeTrue(Files.isDirectory(dir.resolve("appendonlydir")), "a redis-server older than 7 runs here");
        Path older = RedisBinary.embedded().orElseThrow();

        assertThatThrownBy(() -> DataLayout.check(dir, older))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("appendonlydir")
                .hasMessageContaining("6.2")
                .hasMessageContaining("REDIS_SERVER");
        DataLayout.check(dir, RedisBinary.locate()); // the Redis that wrote it
        DataLayout.check(other, older); // a new directory: any version
    }
}
