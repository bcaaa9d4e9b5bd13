package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A raw lease's heartbeat and release by the client token that asked for it cost one Redis command each: the check
 * that the lease is the caller's (its requesting token, its KB in the token's scope) is part of that one step, not a
 * read before it. Counted through {@link RecordingCoordinator}, as a submit's are ({@link SubmitRoundTripsIT}).
 */
class LeaseRoundTripsIT {
    private static final String CLIENT = "client-token-00000001";
    private static final String SCOPED = "scoped-token-00000001";
    private static final String YAML = """
            auth:
              tokens:
                - {role: client, token: client-token-00000001}
                - {role: client, token: scoped-token-00000001, kbs: [demo]}
            kbs:
              - {id: demo, remote: /srv/git/demo.git, branch: main}
            """;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldSendOneRedisCommandPerHeartbeatAndPerReleaseOfTheCallersOwnLease() throws IOException {
        Vertx vertx = Vertx.vertx();
        try (RecordingCoordinator coordinator = RecordingCoordinator.start(vertx, redis.port(), YAML)) {
            WebClient http = coordinator.http();
            List<String> tokens = List.of(CLIENT, CLIENT, SCOPED);
            for (int round = 0; round < tokens.size(); round++) {
                String token = tokens.get(round);
                String id = request(http, token);
                RecordingCoordinator.Recorded heartbeat =
                        coordinator.record(() -> http.post("/v1/leases/" + id + "/heartbeat")
                                .bearerTokenAuthentication(token)
                                .send()
                                .await());
                RecordingCoordinator.Recorded release = coordinator.record(() -> http.delete("/v1/leases/" + id)
                        .bearerTokenAuthentication(token)
                        .send()
                        .await());

                for (RecordingCoordinator.Recorded call : List.of(heartbeat, release)) {
                    assertThat(call.response().statusCode())
                            .as(call.response().bodyAsString())
                            .isEqualTo(200);
                }
                if (round == 0) {
                    continue; // the first round loads the scripts into Redis
                }
                assertThat(heartbeat.commands())
                        .as("Redis commands of a heartbeat by %s", token)
                        .hasSize(1);
                assertThat(release.commands())
                        .as("Redis commands of a release by %s", token)
                        .hasSize(1);
            }
        } finally {
            vertx.close().await();
        }
    }

    private static String request(WebClient http, String token) {
        HttpResponse<Buffer> granted = http.post("/v1/kbs/demo/leases")
                .bearerTokenAuthentication(token)
                .sendJsonObject(new JsonObject().put("holder", "bot"))
                .await();
        assertThat(granted.statusCode()).isEqualTo(202);
        assertThat(granted.bodyAsJsonObject().getString("state")).isEqualToIgnoringCase("granted");
        return granted.bodyAsJsonObject().getString("id");
    }
}
