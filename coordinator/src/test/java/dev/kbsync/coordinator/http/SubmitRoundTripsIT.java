package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.coordinator.Coordinator;
import dev.kbsync.coordinator.ServicesFactory;
import dev.kbsync.coordinator.config.CoordinatorConfig;
import dev.kbsync.testing.FaultProxy;
import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A submit on a known KB costs one Redis command before its {@code 202}: the coordinator reaches Redis through a
 * {@link FaultProxy} that records every command sent while a submit is under way (the KB is held, so the submits
 * queue; the user's and the KB's rate-limit windows, a token quota and the KB's duplicate window all apply). Left out:
 * the health probe ({@code EXISTS kbsync:readyz}), Redisson's connection {@code PING} and the presence {@code PUBLISH},
 * which run on their own timers.
 */
class SubmitRoundTripsIT {
    /** Commands of the coordinator's own background, not of a submit: pings, presence, the health probe's write. */
    private static final Set<String> BACKGROUND = Set.of("PING", "PUBLISH");

    private static final String HEALTH_PROBE_KEY = "kbsync:readyz";
    private static final String TOKEN = "client-token-00000001";
    private static final String YAML = """
            auth:
              tokens:
                - {role: client, token: client-token-00000001, quota: 1000}
            rateLimit:
              submissions: 1000
              kbSubmissions: 1000
            kbs:
              - {id: demo, remote: /srv/git/demo.git, branch: main, dedupeWindowSeconds: 60}
            """;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldSendOneRedisCommandPerSubmitOnAKnownKb() throws IOException {
        Vertx vertx = Vertx.vertx();
        try (FaultProxy proxy = FaultProxy.to(redis.port())) {
            Path yaml = Files.writeString(Files.createTempFile("kbsync-round-trips-", ".yaml"), YAML);
            yaml.toFile().deleteOnExit();
            CoordinatorConfig config = CoordinatorConfig.load(
                    Optional.of(yaml),
                    Map.of(
                            "KBSYNC_HTTP_PORT", "0",
                            "KBSYNC_REDIS_ADDRESS", proxy.uri(),
                            "KBSYNC_LEASE_SWEEP_MILLIS", "60000"));
            Coordinator coordinator = Coordinator.start(vertx, config, ServicesFactory.redisEngine())
                    .await();
            WebClient http = WebClient.create(
                    vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(coordinator.port()));
            for (int i = 0; i < 3; i++) { // the first is granted at once; the scripts get cached
                assertThat(submit(http, "warm-up " + i).statusCode()).isEqualTo(202);
            }

            List<List<List<String>>> perSubmit = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                proxy.recordCommands();
                assertThat(submit(http, "note " + i).statusCode()).isEqualTo(202);
                perSubmit.add(proxy.commands().stream()
                        .filter(c -> !BACKGROUND.contains(c.get(0).toUpperCase())
                                && !(c.size() > 1 && c.get(1).equals(HEALTH_PROBE_KEY)))
                        .toList());
            }

            assertThat(perSubmit)
                    .as("Redis commands sent per submit")
                    .allSatisfy(commands -> assertThat(commands).hasSize(1));
            coordinator.stop().await();
        } finally {
            vertx.close().await();
        }
    }

    private static HttpResponse<Buffer> submit(WebClient http, String text) {
        return http.post("/v1/kbs/demo/notes")
                .bearerTokenAuthentication(TOKEN)
                .sendJsonObject(new JsonObject().put("user", "alice").put("text", text))
                .await();
    }
}
