package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.worker.fallback.FallbackMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void shouldUseDefaultsWhenNothingIsSet() {
        WorkerConfig config = WorkerConfigLoader.load(Map.of());

        assertThat(config.coordinatorUrl().toString()).isEqualTo("http://127.0.0.1:8080");
        assertThat(config.concurrency()).isEqualTo(2);
        assertThat(config.pushRetries()).isEqualTo(5);
        assertThat(config.batchMax()).isEqualTo(16);
        assertThat(config.fallback()).isEqualTo(FallbackMode.LOCAL);
        assertThat(config.agent()).isEmpty();
        assertThat(config.workerId()).endsWith("-" + ProcessHandle.current().pid());
    }

    @Test
    void shouldLetTheEnvironmentOverrideTheYamlFile() throws IOException {
        Path yaml = Files.writeString(tmp.resolve("worker.yaml"), """
                coordinator:
                  url: http://coord:8080
                concurrency: 4
                agent:
                  command: [/opt/agent, --fast]
                  timeout: 90s
                fallback: fail
                """);

        WorkerConfig config = WorkerConfigLoader.load(Map.of(
                "KBSYNC_CONFIG",
                yaml.toString(),
                "KBSYNC_CONCURRENCY",
                "8",
                "KBSYNC_COORDINATOR_TOKEN",
                "t0k3n-secret"));

        assertThat(config.coordinatorUrl().toString()).isEqualTo("http://coord:8080");
        assertThat(config.concurrency()).isEqualTo(8);
        assertThat(config.agent().orElseThrow().argv()).isEqualTo(List.of("/opt/agent", "--fast"));
        assertThat(config.agent().orElseThrow().timeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.fallback()).isEqualTo(FallbackMode.FAIL);
        assertThat(config.toString()).doesNotContain("t0k3n-secret");
    }

    @Test
    void shouldRejectInvalidValuesWithTheKeyName() {
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CONCURRENCY", "lots")))
                .hasMessageContaining("KBSYNC_CONCURRENCY");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_CONCURRENCY", "0")))
                .hasMessageContaining("concurrency");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_FALLBACK", "maybe")))
                .hasMessageContaining("'local' or 'fail'");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_COORDINATOR_URL", "ftp://x")))
                .hasMessageContaining("http(s)");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_WORKER_ID", "a b")))
                .hasMessageContaining("worker id");
        assertThatThrownBy(() -> WorkerConfigLoader.load(Map.of("KBSYNC_BATCH_MAX", "65")))
                .hasMessageContaining("batch max");
        assertThat(WorkerConfigLoader.load(Map.of("KBSYNC_BATCH_MAX", "1")).batchMax())
                .isEqualTo(1);
    }

    @Test
    void shouldParseDurations() {
        assertThat(WorkerConfigLoader.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(WorkerConfigLoader.duration("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(WorkerConfigLoader.duration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(WorkerConfigLoader.duration("PT2S")).isEqualTo(Duration.ofSeconds(2));
    }
}
