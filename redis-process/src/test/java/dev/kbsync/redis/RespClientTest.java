package dev.kbsync.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RespClientTest {
    static RedisProcess redis;

    @BeforeAll
    static void start(@TempDir Path dir) {
        redis = RedisProcess.start(dir);
    }

    @AfterAll
    static void stop() {
        redis.close();
    }

    @Test
    void shouldDecodeEveryReplyType() {
        try (RespClient client = RespClient.connect(redis.port(), Duration.ofSeconds(2))) {
            assertThat(client.call("SET", "k", "välue with spaces")).isEqualTo("OK");
            assertThat(client.call("GET", "k")).isEqualTo("välue with spaces");
            assertThat(client.call("GET", "missing")).isNull();
            assertThat(client.call("INCR", "n")).isEqualTo(1L);
            assertThat(client.call("RPUSH", "l", "a", "b")).isEqualTo(2L);
            assertThat(client.call("LRANGE", "l", "0", "-1")).isEqualTo(List.of("a", "b"));
        }
    }

    @Test
    void shouldThrowOnAnErrorReply() {
        assertThatThrownBy(() -> RespClient.once(redis.port(), Duration.ofSeconds(2), "NOSUCHCOMMAND"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ERR");
    }
}
