package dev.kbsync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.redis.Fsync;
import dev.kbsync.testing.TestCertificates;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python client's tests ({@code clients/python/tests}, {@code python3 -m unittest}) against the stack
 * {@code kbsync up} runs (embedded Redis, a coordinator on a free port, workers, the demo KB), so a change of the
 * HTTP API that breaks the client fails the build.
 */
class PythonClientIT {
    /** clients/ lives at the repository root; tests run in the module directory. */
    private static final Path CLIENT =
            Path.of("..", "clients", "python").toAbsolutePath().normalize();

    private static final String TOKEN = "python-client-token-0001";

    @TempDir
    Path data;

    @Test
    void shouldPassThePythonClientsTestsAgainstARealStack() throws Exception {
        assumeTrue(python3Runs(), "python3 is not installed here");
        Vertx vertx = Vertx.vertx();
        try (EmbeddedStack stack = EmbeddedStack.start(
                new StackOptions(data, Optional.empty(), Fsync.EVERYSEC, 0, 2).withAgentCommand("cat"))) {
            // a second coordinator on the stack's Redis, with a token and HTTPS from a private CA, for the client's
            // token and CA file; the stack's workers run what is submitted there
            TestCertificates.Ca ca = TestCertificates.ca(data, "python");
            TestCertificates.Server server = ca.issue(data, "coordinator");
            CoordinatorConfig config = CoordinatorConfig.load(
                    Optional.empty(),
                    Map.of(
                            "KBSYNC_COORDINATOR_ID",
                            "python-tls",
                            "KBSYNC_HTTP_PORT",
                            "0",
                            "KBSYNC_REDIS_ADDRESS",
                            stack.redisUri(),
                            "KBSYNC_TOKENS",
                            "client:" + TOKEN,
                            "KBSYNC_HTTP_TLS_CERT_FILE",
                            server.cert().toString(),
                            "KBSYNC_HTTP_TLS_KEY_FILE",
                            server.key().toString()));
            Coordinator secured = Coordinator.start(vertx, config).await();
            try {
                Path output = data.resolve("python-tests.log");
                ProcessBuilder builder = new ProcessBuilder(
                                "python3", "-m", "unittest", "discover", "-v", "-s", "tests")
                        .directory(CLIENT.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile());
                Map<String, String> env = builder.environment();
                env.put("KBSYNC_URL", stack.baseUrl().toString());
                env.put("KBSYNC_KB", EmbeddedStack.DEMO_KB);
                env.put("KBSYNC_TLS_URL", "https://127.0.0.1:" + secured.port());
                env.put("KBSYNC_TLS_TOKEN", TOKEN);
                env.put("KBSYNC_CA_FILE", ca.cert().toString());
                env.put("PYTHONDONTWRITEBYTECODE", "1");
                Process python = builder.start();
                boolean exited = python.waitFor(90, TimeUnit.SECONDS);
                if (!exited) {
                    python.destroyForcibly();
                }
                String log = Files.readString(output, StandardCharsets.UTF_8);
                System.out.println(log);
                assertThat(exited)
                        .as("python3 -m unittest finished within 90 s:\n%s", log)
                        .isTrue();
                assertThat(python.exitValue())
                        .as("python3 -m unittest:\n%s", log)
                        .isZero();
                assertThat(log)
                        .as("the tests ran against the stack, and over HTTPS with a token")
                        .contains("test_submits_a_note_once_per_idempotency_key_and_waits_for_its_commit (")
                        .contains("test_sends_its_token_over_https_trusting_the_ca_file (")
                        .contains("test_a_request_that_waits_is_answered_at_its_grant (")
                        .doesNotContain("not set: no coordinator", "KBSYNC_CA_FILE not set");
            } finally {
                secured.stop().await();
            }
        } finally {
            vertx.close().await();
        }
    }

    private static boolean python3Runs() {
        try {
            return new ProcessBuilder(List.of("python3", "--version")).start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
