package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.redis.RedisProcess;
import dev.kbsync.redis.RespClient;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisExtensionTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldAnswerPingOnAPrivatePort() {
        assertThat(redis.port()).isNotEqualTo(6379);
        assertThat(ping(redis.port(), Duration.ofSeconds(2))).isEqualTo("PONG");
    }

    @Test
    void shouldComeBackOnTheSamePortAfterKillAndRestart() {
        int port = redis.port();
        redis.process().kill();
        assertThat(redis.process().isAlive()).isFalse();
        assertThatThrownBy(() -> ping(port, Duration.ofSeconds(2))).isInstanceOf(UncheckedIOException.class);
        redis.process().restart();
        assertThat(redis.port()).isEqualTo(port);
        assertThat(ping(port, Duration.ofSeconds(2))).isEqualTo("PONG");
    }

    @Test
    void shouldAnswerNothingWhilePausedAndAnswerAfterResume() {
        redis.process().pause();
        try {
            assertThatThrownBy(() -> ping(redis.port(), Duration.ofMillis(500)))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasCauseInstanceOf(SocketTimeoutException.class);
        } finally {
            redis.process().resume();
        }
        assertThat(ping(redis.port(), Duration.ofSeconds(5))).isEqualTo("PONG");
    }

    @Test
    void shouldStartOnAnotherPortWhenItsPortWasTakenBeforeTheBind() throws Exception {
        Path dir = Files.createTempDirectory("kbsync-redis-test");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Iterator<Integer> ports =
                    List.of(taken.getLocalPort(), RedisProcess.freePort()).iterator();
            try (RedisServer server = RedisExtension.startOnAFreePort(dir, List.of(), ports::next)) {
                assertThat(server.port()).isNotEqualTo(taken.getLocalPort());
                assertThat(ping(server.port(), Duration.ofSeconds(2))).isEqualTo("PONG");
            }
        } finally {
            TempDirs.deleteQuietly(dir);
        }
    }

    private static Object ping(int port, Duration timeout) {
        return RespClient.once(port, timeout, "PING");
    }
}
