package dev.kbsync.coordinator.degraded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.testing.RedisExtension;
import dev.kbsync.testing.TimingSensitive;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job accepted into the journal while Redis is SIGSTOPped keeps the token that submitted it: once restored into
 * Redis, another client token of the same scope is refused its cancel ({@code 403 NOT_SUBMITTER}), as for a job
 * submitted to Redis; the submitting token may cancel it.
 */
@TimingSensitive
class DegradedSubmitterIT {
    private static final String ADMIN = "admin-token-0000000001";
    private static final String SUBMITTER = "client-token-000000000A";
    private static final String OTHER = "client-token-000000000B";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Test
    void shouldKeepTheSubmittingTokenOfAJournalJobThroughItsRestore(@TempDir Path dir) {
        Map<String, String> env =
                new HashMap<>(CoordinatorProcess.journaling(redis.uri(), "sb", dir.resolve("journal")));
        env.put("KBSYNC_AUTH_ENABLED", "true");
        env.put("KBSYNC_TOKENS", "admin:" + ADMIN + ",client:" + SUBMITTER + ",client:" + OTHER);
        try (CoordinatorProcess coordinator = CoordinatorProcess.start(env, dir.resolve("coordinator.log"))) {
            Http http = coordinator.http();
            String id;
            redis.process().pause();
            try {
                http.awaitDegraded(Duration.ofSeconds(10));
                Http.Answer note = send(
                        http,
                        "POST",
                        "/v1/kbs/sb/notes",
                        new JsonObject().put("user", "u").put("text", "mine"),
                        SUBMITTER);
                assertThat(note.status()).as(note.body().encode()).isEqualTo(202);
                assertThat(note.body().getString("mode")).isEqualTo("degraded");
                id = note.body().getString("id");
            } finally {
                redis.process().resume();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                Http.Answer read = send(http, "GET", "/v1/jobs/" + id, null, SUBMITTER);
                return read.status() == 200 && read.body().getString("mode") == null;
            });

            Http.Answer other = send(http, "DELETE", "/v1/jobs/" + id, null, OTHER);

            assertThat(other.status()).as(other.body().encode()).isEqualTo(403);
            assertThat(other.error()).isEqualTo("NOT_SUBMITTER");
            assertThat(send(http, "GET", "/v1/jobs/" + id, null, SUBMITTER)
                            .body()
                            .getString("state"))
                    .as("the refusal changes nothing")
                    .isEqualTo("queued");
            Http.Answer own = send(http, "DELETE", "/v1/jobs/" + id, null, SUBMITTER);
            assertThat(own.status()).as(own.body().encode()).isEqualTo(200);
            assertThat(own.body().getString("state")).isEqualTo("cancelled");
        }
    }

    private static Http.Answer send(Http http, String method, String path, JsonObject body, String token) {
        return http.send(method, path, body, Map.of("Authorization", "Bearer " + token));
    }
}
