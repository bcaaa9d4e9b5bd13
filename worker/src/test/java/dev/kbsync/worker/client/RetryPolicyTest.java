package dev.kbsync.worker.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Retries over real HTTP: a server that is unavailable for a while, one that refuses, and a port nobody listens on. */
class RetryPolicyTest {
    private static final RetryPolicy QUICK = new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(20));

    private final AtomicInteger calls = new AtomicInteger();
    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void setUp() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer()
                .requestHandler(req -> {
                    int n = calls.incrementAndGet();
                    boolean refuse = req.path().contains("refused");
                    int status = refuse ? 400 : n < 3 ? 503 : 200;
                    String code = refuse ? "INVALID_FIELD" : "NOT_READY";
                    req.response()
                            .setStatusCode(status)
                            .end(status == 200 ? "{}" : "{\"error\":{\"code\":\"" + code + "\",\"message\":\"m\"}}");
                })
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() throws Exception {
        vertx.close().await(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRetryWhileTheCoordinatorIsUnavailable() {
        try (KbsyncClient client = client(server.actualPort())) {
            QUICK.call(() -> {
                client.health();
                return null;
            });
        }
        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldNotRetryARefusal() {
        try (KbsyncClient client = client(server.actualPort())) {
            assertThatThrownBy(() -> QUICK.call(() -> client.job("refused")))
                    .isInstanceOf(KbsyncException.InvalidRequest.class);
        }
        assertThat(calls).hasValue(1);
    }

    @Test
    void shouldGiveUpOnAnUnreachableCoordinatorAfterTheLastAttempt() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        try (KbsyncClient client = client(port)) {
            assertThatThrownBy(() -> QUICK.call(() -> client.heartbeat("lease-1")))
                    .isInstanceOf(KbsyncException.Unreachable.class);
        }
    }

    @Test
    void shouldJitterRetryDelaysWithinTheCap() {
        RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(100), Duration.ofMillis(400));

        for (int retry = 1; retry <= 10; retry++) {
            assertThat(policy.delay(retry)).isBetween(Duration.ofMillis(1), Duration.ofMillis(400));
        }
    }

    private KbsyncClient client(int port) {
        return KbsyncClient.create(vertx, ClientOptions.of(URI.create("http://127.0.0.1:" + port), "token"));
    }
}
