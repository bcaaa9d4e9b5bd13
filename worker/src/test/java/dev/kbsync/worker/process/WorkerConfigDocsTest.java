package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.TestCertificates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerConfigDocsTest {
    @Test
    void shouldMatchTheCommittedReference() throws Exception {
        Path doc = Path.of("..", "docs", "worker-configuration.md");
        assertThat(Files.readString(doc))
                .as(
                        "docs/worker-configuration.md is stale: run WorkerConfigDocs.main(\"docs/worker-configuration.md\")")
                .isEqualTo(WorkerConfigDocs.markdown());
    }

    @Test
    void shouldReadEveryKeyFromItsDocumentedEnvironmentVariable() {
        WorkerConfig config = WorkerConfigLoader.load(Map.of(
                WorkerConfigKey.HTTP_PORT.env(), "9191",
                WorkerConfigKey.CONCURRENCY.env(), "3",
                WorkerConfigKey.BATCH_MAX.env(), "4",
                WorkerConfigKey.POLL_WAIT.env(), "2s"));
        assertThat(WorkerConfigKey.HTTP_PORT.env()).isEqualTo("KBSYNC_WORKER_HTTP_PORT");
        assertThat(config.httpPort()).isEqualTo(9191);
        assertThat(config.concurrency()).isEqualTo(3);
        assertThat(config.batchMax()).isEqualTo(4);
        assertThat(config.pollWait()).hasSeconds(2);
    }

    @Test
    void shouldShowAnExampleThatLoads(@TempDir Path dir) throws Exception {
        String page = WorkerConfigDocs.markdown();
        String example = page.substring(page.indexOf("```yaml\n") + 8, page.lastIndexOf("```"));
        assertThat(example).contains("caFile: /etc/kbsync/ca.pem");
        // the CA file is read when the configuration loads: the example's, made here
        Path ca = TestCertificates.ca(dir, "ca").cert();
        Path file = Files.writeString(dir.resolve("worker.yaml"), example.replace("/etc/kbsync/ca.pem", ca.toString()));

        WorkerConfig config = WorkerConfigLoader.load(Map.of("KBSYNC_CONFIG", file.toString()));

        assertThat(config.workerId()).isEqualTo("worker-a");
        assertThat(config.agent().orElseThrow().argv()).hasSize(3);
    }

    @Test
    void shouldUseTheTableDefaults() {
        WorkerConfig config = WorkerConfigLoader.load(Map.of());
        assertThat(config.httpPort()).isEqualTo(9090);
        assertThat(config.pushRetries()).isEqualTo(5);
        assertThat(config.agent()).isEmpty();
    }
}
