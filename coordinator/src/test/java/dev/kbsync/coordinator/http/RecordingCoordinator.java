package dev.kbsync.coordinator.http;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.FaultProxy;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A coordinator (configured by a YAML file) that reaches Redis through a {@link FaultProxy}, to count the Redis
 * commands a request sends: {@link #record} leaves out the commands of the coordinator's own timers (Redisson's
 * connection {@code PING}, the presence {@code PUBLISH}, the health probe's {@code kbsync:readyz}).
 */
final class RecordingCoordinator implements AutoCloseable {
    private static final Set<String> BACKGROUND = Set.of("PING", "PUBLISH");
    private static final String HEALTH_PROBE_KEY = "kbsync:readyz";

    private final FaultProxy proxy;
    private final Coordinator coordinator;
    private final WebClient http;

    private RecordingCoordinator(FaultProxy proxy, Coordinator coordinator, WebClient http) {
        this.proxy = proxy;
        this.coordinator = coordinator;
        this.http = http;
    }

    /** Starts one on {@code vertx} with {@code yaml}, no sweep for a minute, reaching the Redis on {@code redisPort}. */
    static RecordingCoordinator start(Vertx vertx, int redisPort, String yaml) throws IOException {
        FaultProxy proxy = FaultProxy.to(redisPort);
        try {
            Path file = Files.writeString(Files.createTempFile("kbsync-recorded-", ".yaml"), yaml);
            file.toFile().deleteOnExit();
            CoordinatorConfig config = CoordinatorConfig.load(
                    Optional.of(file),
                    Map.of(
                            "KBSYNC_HTTP_PORT", "0",
                            "KBSYNC_REDIS_ADDRESS", proxy.uri(),
                            "KBSYNC_LEASE_SWEEP_MILLIS", "60000"));
            Coordinator coordinator = Coordinator.start(vertx, config, ServicesFactory.redisEngine())
                    .await();
            WebClient http = WebClient.create(
                    vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(coordinator.port()));
            return new RecordingCoordinator(proxy, coordinator, http);
        } catch (IOException | RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    WebClient http() {
        return http;
    }

    /** A call's answer and the Redis commands sent while it ran (each a list of its arguments). */
    record Recorded(HttpResponse<Buffer> response, List<List<String>> commands) {}

    /** Runs {@code call}, recording the Redis commands it sent, the timers' left out. */
    Recorded record(Supplier<HttpResponse<Buffer>> call) {
        proxy.recordCommands();
        HttpResponse<Buffer> response = call.get();
        return new Recorded(
                response,
                proxy.commands().stream()
                        .filter(c -> !BACKGROUND.contains(c.get(0).toUpperCase())
                                && !(c.size() > 1 && c.get(1).equals(HEALTH_PROBE_KEY)))
                        .toList());
    }

    @Override
    public void close() {
        try {
            coordinator.stop().await();
        } finally {
            proxy.close();
        }
    }
}
