package dev.kbsync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TestCertificates;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The CLI against a coordinator serving HTTPS with a certificate from a test CA: trusted with --ca-file only. */
class CliTlsIT {
    private static final String TOKEN = "client-token-00000001";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    @Test
    void shouldTrustTheCoordinatorThroughTheCaFileAndRefuseItOtherwise() {
        Vertx vertx = Vertx.vertx();
        TestCertificates.Ca ca = TestCertificates.ca(tmp, "cli");
        TestCertificates.Server server = ca.issue(tmp, "coordinator");
        CoordinatorConfig config = CoordinatorConfig.load(
                Optional.empty(),
                Map.of(
                        "KBSYNC_HTTP_PORT",
                        "0",
                        "KBSYNC_REDIS_ADDRESS",
                        redis.uri(),
                        "KBSYNC_TOKENS",
                        "client:" + TOKEN,
                        "KBSYNC_KBS",
                        "tls-kb=/srv/git/tls.git#main",
                        "KBSYNC_HTTP_TLS_CERT_FILE",
                        server.cert().toString(),
                        "KBSYNC_HTTP_TLS_KEY_FILE",
                        server.key().toString()));
        Coordinator coordinator = Coordinator.start(vertx, config).await();
        try {
            String url = "https://127.0.0.1:" + coordinator.port();
            Run trusted = run(
                    "queue",
                    "--url",
                    url,
                    "--token",
                    TOKEN,
                    "--ca-file",
                    ca.cert().toString());
            assertThat(trusted.exit()).isZero();
            assertThat(trusted.out()).startsWith("tls-kb  (free)");

            Run untrusted = run("queue", "--url", url, "--token", TOKEN);
            assertThat(untrusted.exit()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(untrusted.err()).startsWith("error: ").doesNotContain("\tat ");

            Run plain = run(
                    "queue",
                    "--url",
                    url.replace("https", "http"),
                    "--ca-file",
                    ca.cert().toString());
            assertThat(plain.exit()).isEqualTo(ExitCodes.USAGE);
            assertThat(plain.err()).contains("not https");
        } finally {
            coordinator.stop().await();
            vertx.close().await();
        }
    }

    private record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream originalOut = System.out;
        PrintStream originalErr = System.err;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = KbsyncCli.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(originalOut);
            System.setErr(originalErr);
        }
    }
}
