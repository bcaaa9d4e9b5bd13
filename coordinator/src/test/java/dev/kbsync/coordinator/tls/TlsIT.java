package dev.kbsync.coordinator.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.coordinator.testing.LogCapture;
import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TestCertificates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator over HTTPS with a certificate from a CA made in the test (openssl): clients that trust the CA file
 * get through, others are refused; replaced certificate files are served without a restart; a pair that does not load
 * keeps the old one; authentication on a non-loopback address without TLS logs a warning.
 */
class TlsIT {
    private static final String ADMIN = "admin-token-00000001";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path tmp;

    private Vertx vertx;
    private Coordinator coordinator;
    private TestCertificates.Ca first;
    private Path cert;
    private Path key;

    @BeforeEach
    void start() throws IOException {
        vertx = Vertx.vertx();
        first = TestCertificates.ca(tmp.resolve("pki"), "first");
        TestCertificates.Server server = first.issue(tmp.resolve("pki"), "coordinator");
        cert = Files.copy(server.cert(), tmp.resolve("tls.pem"));
        key = Files.copy(server.key(), tmp.resolve("tls.key"));
        Map<String, String> env = env("127.0.0.1");
        env.put("KBSYNC_HTTP_TLS_CERT_FILE", cert.toString());
        env.put("KBSYNC_HTTP_TLS_KEY_FILE", key.toString());
        env.put("KBSYNC_HTTP_TLS_RELOAD_SECONDS", "1");
        coordinator = Coordinator.start(vertx, CoordinatorConfig.load(Optional.empty(), env))
                .await();
    }

    @AfterEach
    void stop() {
        coordinator.stop().await();
        vertx.close().await();
    }

    @Test
    void shouldServeHttpsToClientsThatTrustTheCaFileOnly() throws Exception {
        try (KbsyncClient trusting = client(first.cert())) {
            assertThat(trusting.kbs().kbs()).isEmpty();
        }
        try (KbsyncClient jvmTrust = KbsyncClient.create(vertx, ClientOptions.of(https(), ADMIN))) {
            assertThatThrownBy(jvmTrust::kbs)
                    .isInstanceOf(KbsyncException.class)
                    .hasStackTraceContaining("PKIX path building failed");
        }
        HttpRequest plain = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.port() + "/healthz"))
                .timeout(Duration.ofSeconds(5))
                .build();
        assertThatThrownBy(() -> HttpClient.newHttpClient().send(plain, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(IOException.class);
    }

    @Test
    void shouldServeReplacedCertificateFilesWithoutARestartAndKeepThemWhenTheNewOnesDoNotLoad() throws Exception {
        TestCertificates.Ca second = TestCertificates.ca(tmp.resolve("pki"), "second");
        TestCertificates.Server renewed = second.issue(tmp.resolve("pki"), "renewed");
        try (LogCapture logs = new LogCapture()) {
            Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.cert(), cert, StandardCopyOption.REPLACE_EXISTING);

            await().atMost(Duration.ofSeconds(10)).until(() -> reachable(second.cert()));
            assertThat(reachable(first.cert())).isFalse();

            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> logs.lines().stream().anyMatch(l -> l.contains("do not load")));
            assertThat(reachable(second.cert())).isTrue();
            assertThat(logs.lines()).anyMatch(l -> l.startsWith("INFO TLS certificate reloaded from " + cert));
        }
    }

    /**
     * A key that does not belong to the certificate (certbot swaps the two files one after the other; a reload between
     * the swaps reads the new certificate with the old key) is not served: every handshake would fail.
     */
    @Test
    void shouldKeepServingThePreviousPairWhenTheNewKeyDoesNotMatchTheNewCertificate() throws Exception {
        TestCertificates.Ca second = TestCertificates.ca(tmp.resolve("pki"), "second");
        TestCertificates.Server renewed = second.issue(tmp.resolve("pki"), "renewed");
        try (LogCapture logs = new LogCapture()) {
            Files.copy(renewed.cert(), cert, StandardCopyOption.REPLACE_EXISTING); // the key is still the first one's

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> logs.lines().stream().anyMatch(l -> l.contains("do not load")));
            assertThat(logs.lines()).anyMatch(l -> l.contains("does not belong to the certificate"));
            assertThat(reachable(first.cert())).isTrue();

            Files.copy(renewed.key(), key, StandardCopyOption.REPLACE_EXISTING); // the swap completes
            await().atMost(Duration.ofSeconds(10)).until(() -> reachable(second.cert()));
        }
    }

    /** The same mismatch at start: the coordinator does not start, and says why. */
    @Test
    void shouldRefuseToStartWithAKeyThatDoesNotMatchTheCertificate() throws Exception {
        TestCertificates.Server other = first.issue(tmp.resolve("pki"), "other");
        Map<String, String> env = env("127.0.0.1");
        env.put("KBSYNC_HTTP_TLS_CERT_FILE", cert.toString());
        env.put("KBSYNC_HTTP_TLS_KEY_FILE", other.key().toString());

        assertThatThrownBy(() -> Coordinator.start(vertx, CoordinatorConfig.load(Optional.empty(), env))
                        .await()
                        .stop() // started after all: stopped, so nothing of it reaches the next test
                        .await())
                .hasMessageContaining("does not belong to the certificate")
                .hasMessageContaining(other.key().toString());
    }

    @Test
    void shouldWarnWhenTokensWouldCrossTheNetworkInClearText() {
        ServicesFactory stopBeforeListening = (vertx, redisson, engine, metrics) ->
                Future.failedFuture(new IllegalStateException("stop before listening"));
        try (LogCapture logs = new LogCapture()) {
            for (String host : new String[] {"0.0.0.0", "127.0.0.1"}) {
                CoordinatorConfig config = CoordinatorConfig.load(Optional.empty(), env(host));
                assertThatThrownBy(() -> Coordinator.start(vertx, config, stopBeforeListening)
                                .await())
                        .hasMessage("stop before listening");
            }
            assertThat(logs.lines().stream().filter(l -> l.contains("in clear text")))
                    .singleElement()
                    .asString()
                    .startsWith("WARN http.host=0.0.0.0 is not a loopback address and TLS is off");
        }
    }

    private boolean reachable(Path ca) {
        try (KbsyncClient client = client(ca)) {
            client.kbs();
            return true;
        } catch (KbsyncException e) {
            return false;
        }
    }

    private KbsyncClient client(Path ca) {
        return KbsyncClient.create(vertx, ClientOptions.of(https(), ADMIN).withCaFile(ca));
    }

    private URI https() {
        return URI.create("https://127.0.0.1:" + coordinator.port());
    }

    private static Map<String, String> env(String host) {
        return new HashMap<>(Map.of(
                "KBSYNC_HTTP_HOST",
                host,
                "KBSYNC_HTTP_PORT",
                "0",
                "KBSYNC_REDIS_ADDRESS",
                redis.uri(),
                "KBSYNC_TOKENS",
                "admin:" + ADMIN));
    }
}
