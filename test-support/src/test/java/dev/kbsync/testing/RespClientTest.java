package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RespClientTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

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
