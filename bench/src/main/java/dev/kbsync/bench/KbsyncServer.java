package dev.kbsync.bench;

import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.metrics.ProcessMetrics;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A coordinator in the bench JVM (auth off on loopback, no practical rate limit) and a client for it. */
final class KbsyncServer implements AutoCloseable {
    private final Vertx vertx;
    private final Coordinator coordinator;

    private KbsyncServer(Vertx vertx, Coordinator coordinator) {
        this.vertx = vertx;
        this.coordinator = coordinator;
    }

    /** The configuration, as environment variables, of a bench coordinator on {@code port} (0: any free port). */
    static Map<String, String> env(String redisUri, int port) {
        return Map.of(
                "KBSYNC_COORDINATOR_ID",
                "bench-" + port,
                "KBSYNC_REDIS_ADDRESS",
                redisUri,
                "KBSYNC_HTTP_HOST",
                "127.0.0.1",
                "KBSYNC_HTTP_PORT",
                Integer.toString(port),
                "KBSYNC_AUTH_ENABLED",
                "false",
                "KBSYNC_RATE_LIMIT_SUBMISSIONS",
                "1000000");
    }

    static KbsyncServer start(String redisUri) throws Exception {
        return start(redisUri, Map.of());
    }

    /** A bench coordinator with some settings ({@code extra}, environment variables) other than the defaults. */
    static KbsyncServer start(String redisUri, Map<String, String> extra) throws Exception {
        // Metrics as in production (CoordinatorMain): Vert.x HTTP server and JVM meters in the coordinator's registry.
        ProcessMetrics metrics = new ProcessMetrics();
        Vertx vertx = metrics.vertx();
        Map<String, String> env = new HashMap<>(env(redisUri, 0));
        env.putAll(extra);
        CoordinatorConfig config = CoordinatorConfig.load(Optional.empty(), env);
        return new KbsyncServer(vertx, Coordinator.start(vertx, config, metrics).await(60, TimeUnit.SECONDS));
    }

    /** The coordinator's HTTP port. */
    int port() {
        return coordinator.port();
    }

    KbsyncClient client(int connections) {
        return client(coordinator.port(), connections);
    }

    /**
     * The Java client of a bench coordinator on {@code port}, with a Vert.x instance of its own and up to
     * {@code connections} connections for calls and as many for event streams.
     */
    static KbsyncClient client(int port, int connections) {
        return KbsyncClient.create(ClientOptions.of(URI.create("http://127.0.0.1:" + port), null)
                .withMaxConnections(connections)
                .withMaxStreams(connections));
    }

    @Override
    public void close() throws Exception {
        coordinator.stop().await(30, TimeUnit.SECONDS);
        vertx.close().await(30, TimeUnit.SECONDS);
    }
}
