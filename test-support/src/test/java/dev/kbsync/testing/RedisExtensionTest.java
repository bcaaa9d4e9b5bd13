package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisExtensionTest {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldAnswerPingOnAPrivatePort() throws IOException {
        assertThat(redis.port()).isNotEqualTo(6379);
        assertThat(ping(redis.port())).isEqualTo("+PONG");
    }

    @Test
    void shouldComeBackOnTheSamePortAfterKillAndRestart() throws IOException {
        int port = redis.port();
        redis.process().kill();
        assertThat(redis.process().isAlive()).isFalse();
        assertThatThrownBy(() -> ping(port)).isInstanceOf(IOException.class);
        redis.process().restart();
        assertThat(redis.port()).isEqualTo(port);
        assertThat(ping(port)).isEqualTo("+PONG");
    }

    static String ping(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(2000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }
}
