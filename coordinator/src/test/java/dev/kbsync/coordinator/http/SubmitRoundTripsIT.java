package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.testing.RedisExtension;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A submit on a known KB costs one Redis command before its {@code 202}, counted by a proxy that records every command
 * sent while a submit is under way ({@link RecordingCoordinator}, which leaves out the commands of the coordinator's
 * own timers). The KB is held, so the submits queue; the user's and the KB's rate-limit windows, a token quota and the
 * KB's duplicate window all apply.
 */
class SubmitRoundTripsIT {
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
        try (RecordingCoordinator coordinator = RecordingCoordinator.start(vertx, redis.port(), YAML)) {
            WebClient http = coordinator.http();
            for (int i = 0; i < 3; i++) { // the first is granted at once; the scripts get cached
                assertThat(submit(http, "warm-up " + i).statusCode()).isEqualTo(202);
            }

            List<List<List<String>>> perSubmit = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String text = "note " + i;
                RecordingCoordinator.Recorded submitted = coordinator.record(() -> submit(http, text));
                assertThat(submitted.response().statusCode()).isEqualTo(202);
                perSubmit.add(submitted.commands());
            }

            assertThat(perSubmit)
                    .as("Redis commands sent per submit")
                    .allSatisfy(commands -> assertThat(commands).hasSize(1));
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
