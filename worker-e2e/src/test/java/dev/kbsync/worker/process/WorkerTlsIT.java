package dev.kbsync.worker.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.JobState;
import dev.kbsync.config.ConfigException;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TestCertificates;
import dev.kbsync.worker.fixture.CoordinatorFixture;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.WorkerFixture;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A worker reaches a coordinator that serves HTTPS with a certificate from a test CA, trusting its CA file. */
class WorkerTlsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldRunAJobThroughACoordinatorItReachesOverHttps() {
        Vertx vertx = Vertx.vertx();
        TestCertificates.Ca ca = TestCertificates.ca(tmp.resolve("pki"), "test");
        Path bare = tmp.resolve("team.git");
        try (CoordinatorFixture coordinator = CoordinatorFixture.startTls(
                vertx, redis, Map.of("team", GitFixture.bareRemote(bare)), ca, tmp.resolve("pki"))) {
            assertThat(coordinator.url().getScheme()).isEqualTo("https");
            WorkerConfig plain =
                    WorkerFixture.config(coordinator.url(), "w1", tmp.resolve("cache"), 1, Optional.empty());
            WorkerProcess worker =
                    WorkerFixture.start(vertx, WorkerFixture.withCaFile(plain, ca.cert()), PhaseListener.NONE);
            try {
                String job =
                        coordinator.submitNote("team", "ada", "over TLS", "TLS").id();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> coordinator.job(job).state() == JobState.DONE);
                assertThat(GitFixture.history(bare)).hasSize(2);
            } finally {
                worker.stop();
            }
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }

    @Test
    void shouldRefuseACaFileForAPlainHttpCoordinator() {
        WorkerConfig plain = WorkerFixture.config(
                java.net.URI.create("http://127.0.0.1:1"), "w1", tmp.resolve("cache"), 1, Optional.empty());
        assertThatThrownBy(() -> WorkerFixture.withCaFile(plain, tmp.resolve("ca.pem")))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("coordinator.caFile: is set, but coordinator.url is not https");
    }
}
