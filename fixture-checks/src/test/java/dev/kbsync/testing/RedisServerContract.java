package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.redis.RedisProcess;
import dev.kbsync.redis.RespClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link RedisRuntime} promises of the servers it starts; each runtime runs it. */
abstract class RedisServerContract {
    private static final Duration CALL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private RedisServer server;

    abstract RedisRuntime runtime();

    @AfterEach
    void removeServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void shouldAnswerPingOnAPrivatePortOfLoopback() {
        RedisServer redis = start(List.of());

        assertThat(redis.port()).isNotEqualTo(6379);
        assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + redis.port());
        assertThat(redis.isAlive()).isTrue();
        assertThat(ping(redis, CALL)).isEqualTo("PONG");
    }

    @Test
    void shouldRefuseConnectionsAfterKillAndComeBackEmptyOnTheSamePortAfterRestart() {
        RedisServer redis = start(List.of());
        RespClient.once(redis.port(), CALL, "SET", "k", "v");

        redis.kill();
        assertThat(redis.isAlive()).isFalse();
        assertThatThrownBy(() -> ping(redis, CALL)).isInstanceOf(UncheckedIOException.class);
        redis.restart();

        assertThat(redis.isAlive()).isTrue();
        assertThat(ping(redis, CALL)).isEqualTo("PONG");
        assertThat(RespClient.once(redis.port(), CALL, "GET", "k")).isNull();
    }

    @Test
    void shouldAnswerNothingWhilePausedAndAnswerAfterResume() {
        RedisServer redis = start(List.of());

        redis.pause();
        try {
            assertThat(redis.isAlive()).isTrue();
            assertThatThrownBy(() -> ping(redis, Duration.ofMillis(500)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
        } finally {
            redis.resume();
        }
        assertThat(ping(redis, Duration.ofSeconds(5))).isEqualTo("PONG");
    }

    @Test
    void shouldDieOnKillWhilePausedAndComeBackOnRestart() {
        RedisServer redis = start(List.of());

        redis.pause();
        redis.kill();
        assertThat(redis.isAlive()).isFalse();
        redis.restart();

        assertThat(ping(redis, CALL)).isEqualTo("PONG");
    }

    @Test
    void shouldKeepAppendOnlyDataAcrossKillAndRestart() {
        RedisServer redis = start(RedisExtension.APPEND_ONLY);
        RespClient.once(redis.port(), CALL, "SET", "note", "kept");

        redis.kill();
        redis.restart();

        assertThat(RespClient.once(redis.port(), CALL, "GET", "note")).isEqualTo("kept");
    }

    @Test
    void shouldRunASentinelThatRewritesItsConfigInPlace() throws IOException {
        RedisServer master = start(List.of());
        int port = RedisProcess.freePort();
        Path config = Files.writeString(
                dir.resolve("sentinel.conf"),
                "sentinel monitor m 127.0.0.1 " + master.port() + " 1\nsentinel resolve-hostnames no\n");
        try (RedisServer sentinel = runtime().startSentinel(dir, port, config)) {
            assertThat(RespClient.once(port, CALL, "SENTINEL", "get-master-addr-by-name", "m"))
                    .isEqualTo(List.of("127.0.0.1", Integer.toString(master.port())));
            assertThat(Files.readString(config)).contains("sentinel myid");
        }
    }

    @Test
    void shouldBeGoneAfterCloseEvenWhilePausedAndCloseTwiceSafely() {
        RedisServer redis = start(List.of());

        redis.pause();
        redis.close();
        redis.close();

        assertThat(redis.isAlive()).isFalse();
        assertThatThrownBy(() -> ping(redis, CALL)).isInstanceOf(UncheckedIOException.class);
    }

    private RedisServer start(List<String> args) {
        server = runtime().start(dir, RedisProcess.freePort(), args);
        return server;
    }

    private static Object ping(RedisServer redis, Duration timeout) {
        return RespClient.once(redis.port(), timeout, "PING");
    }
}
