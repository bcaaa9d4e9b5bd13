package dev.kbsync.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisRuntimeTest {
    @Test
    void shouldUseContainersWhenDockerAnswersAndNothingIsForced() {
        assertThat(RedisRuntime.select(null, () -> true)).isEqualTo(RedisRuntime.CONTAINER);
        assertThat(RedisRuntime.select("auto", () -> true)).isEqualTo(RedisRuntime.CONTAINER);
    }

    @Test
    void shouldFallBackToProcessesWhenNoDockerAnswers() {
        assertThat(RedisRuntime.select(null, () -> false)).isEqualTo(RedisRuntime.PROCESS);
        assertThat(RedisRuntime.select(" ", () -> false)).isEqualTo(RedisRuntime.PROCESS);
    }

    @Test
    void shouldObeyAForcedChoiceWithoutAskingDocker() {
        assertThat(RedisRuntime.select("process", () -> {
                    throw new AssertionError("asked Docker");
                }))
                .isEqualTo(RedisRuntime.PROCESS);
        assertThat(RedisRuntime.select("CONTAINER", () -> false)).isEqualTo(RedisRuntime.CONTAINER);
    }

    @Test
    void shouldRejectAnUnknownChoice() {
        assertThatThrownBy(() -> RedisRuntime.select("podman", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KBSYNC_TEST_REDIS must be process, container or auto");
    }
}
