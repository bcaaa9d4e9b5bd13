package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.redis.RespClient;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The contract on containers; skipped without a Docker engine unless containers are forced. */
class ContainerServerIT extends RedisServerContract {
    @BeforeAll
    static void dockerAnswers() {
        assumeTrue(
                RedisRuntime.current() == RedisRuntime.CONTAINER || RedisRuntime.dockerAnswers(),
                "no Docker engine answers");
    }

    @Override
    RedisRuntime runtime() {
        return RedisRuntime.CONTAINER;
    }

    @Test
    void shouldRunTheLocallyBuiltImageOnTheHostNetwork() {
        try (RedisServer redis = runtime().start(dir, dev.kbsync.redis.RedisProcess.freePort(), List.of())) {
            assertThat(redis.toString()).startsWith("container " + RedisImage.REPOSITORY + ":");
            assertThat(RespClient.once(redis.port(), Duration.ofSeconds(2), "PING"))
                    .isEqualTo("PONG");
        }
    }
}
