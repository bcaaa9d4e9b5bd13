package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A KB's duplicate window ({@code dedupeWindowSeconds}) on the real engine: the same user and content within the
 * window answers 200 with the first job; another user, other content, another kind, another KB, or the same content
 * after the window make new jobs; a KB without a window never merges.
 */
class DuplicatesApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_RATE_LIMIT_SUBMISSIONS", "1000"));

    @Test
    @SuppressWarnings("unchecked")
    void shouldAnswerADuplicateWithinTheWindowWithTheFirstJob() {
        register("dup-a", 2);
        long submitted = System.nanoTime();
        HttpResponse<Buffer> first = note("dup-a", "alice", "the same message");
        HttpResponse<Buffer> again = note("dup-a", "alice", "the same message");

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).as(again.bodyAsString()).isEqualTo(200);
        String id = first.bodyAsJsonObject().getString("id");
        assertThat(again.bodyAsJsonObject().getString("id")).isEqualTo(id);
        assertThat(again.getHeader("Location")).isEqualTo("/v1/jobs/" + id);

        assertThat(note("dup-a", "bob", "the same message").statusCode())
                .as("another user")
                .isEqualTo(202);
        assertThat(note("dup-a", "alice", "another message").statusCode())
                .as("other text")
                .isEqualTo(202);
        HttpResponse<Buffer> task = api.call(
                POST,
                "/v1/kbs/dup-a/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "alice").put("task", "the same message"));
        assertThat(task.statusCode()).as("another kind").isEqualTo(202);
        register("dup-b", 2);
        assertThat(note("dup-b", "alice", "the same message").statusCode())
                .as("another KB")
                .isEqualTo(202);

        HttpResponse<Buffer>[] after = new HttpResponse[1];
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    after[0] = note("dup-a", "alice", "the same message");
                    assertThat(after[0].statusCode()).isEqualTo(202);
                });
        assertThat(System.nanoTime() - submitted)
                .as("a new job only after the 2 s window")
                .isGreaterThan(Duration.ofMillis(1500).toNanos());
        assertThat(after[0].bodyAsJsonObject().getString("id")).isNotEqualTo(id);
    }

    @Test
    void shouldNeverMergeWithoutAWindow() {
        register("dup-off", 0);
        String first = note("dup-off", "alice", "twice").bodyAsJsonObject().getString("id");
        HttpResponse<Buffer> second = note("dup-off", "alice", "twice");
        assertThat(second.statusCode()).isEqualTo(202);
        assertThat(second.bodyAsJsonObject().getString("id")).isNotEqualTo(first);
    }

    @Test
    void shouldValidateAndShowTheWindow() {
        long keys = api.storedRecords();
        for (Object bad : new Object[] {-1, 86_401, "ten"}) {
            HttpResponse<Buffer> response = api.call(
                    PUT,
                    "/v1/kbs/dup-bad",
                    ADMIN,
                    new JsonObject()
                            .put("remote", "/srv/git/x.git")
                            .put("branch", "main")
                            .put("dedupeWindowSeconds", bad));
            assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(400);
        }
        assertThat(api.storedRecords()).isEqualTo(keys);
        register("dup-shown", 30);
        assertThat(api.call(GET, "/v1/kbs", CLIENT).bodyAsJsonObject().getJsonArray("kbs").stream()
                        .map(o -> (JsonObject) o)
                        .filter(kb -> kb.getString("id").equals("dup-shown"))
                        .findFirst()
                        .orElseThrow()
                        .getInteger("dedupeWindowSeconds"))
                .isEqualTo(30);
        assertError(
                api.call(
                        PUT,
                        "/v1/kbs/dup-bad",
                        ADMIN,
                        new JsonObject()
                                .put("remote", "/srv/git/x.git")
                                .put("branch", "main")
                                .put("dedupeWindowSeconds", -1)),
                400,
                "INVALID_DEDUPE_WINDOW");
    }

    private static void register(String kb, int window) {
        HttpResponse<Buffer> response = api.call(
                PUT,
                "/v1/kbs/" + kb,
                ADMIN,
                new JsonObject()
                        .put("remote", "/srv/git/" + kb + ".git")
                        .put("branch", "main")
                        .put("dedupeWindowSeconds", window));
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    }

    private static HttpResponse<Buffer> note(String kb, String user, String text) {
        return api.call(
                POST,
                "/v1/kbs/" + kb + "/notes",
                CLIENT,
                new JsonObject().put("user", user).put("text", text));
    }
}
