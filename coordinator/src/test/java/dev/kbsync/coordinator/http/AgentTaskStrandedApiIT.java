package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.AgentWorkersApiIT.put;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.eta.HoldKind;
import dev.kbsync.coordinator.engine.eta.HoldStats;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An agent task already queued when the fleet's last agent worker leaves (its record forgotten, or it now runs notes
 * only) does not hold its KB, and every job behind it, until one joins: the sweep fails it {@code NO_AGENT_WORKER}
 * (a terminal state its bot sees, as the submit would have refused it now) and the KB's next job goes on.
 */
class AgentTaskStrandedApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of());

    @Test
    void shouldFailAQueuedAgentTaskOnceNoKnownWorkerRunsAgentsAndGoOnWithTheNextJob() throws Exception {
        put(api, "w", new JsonArray().add("note").add("agent"));
        String task = accepted(api.call(
                POST,
                "/v1/kbs/demo/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "u").put("task", "summarize")));
        String note = accepted(api.call(
                POST,
                "/v1/kbs/demo/notes",
                CLIENT,
                new JsonObject().put("user", "u").put("text", "behind it")));

        put(api, "w", new JsonArray().add("note"));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(job(task).getString("state")).isEqualTo("failed"));
        JsonObject failed = job(task);
        assertThat(failed.getJsonObject("error").getString("code")).isEqualTo("NO_AGENT_WORKER");
        assertThat(failed.getJsonObject("error").getString("message")).contains("agent");
        HttpResponse<Buffer> polled = api.call(
                POST,
                "/v1/workers/w/poll",
                WORKER,
                new JsonObject()
                        .put("waitMs", 5000)
                        .put("presence", WorkersApiIT.presence().put("kinds", new JsonArray().add("note"))));
        assertThat(polled.statusCode()).as(polled.bodyAsString()).isEqualTo(200);
        assertThat(polled.bodyAsJsonObject().getJsonObject("job").getString("id"))
                .isEqualTo(note);
        HoldStats stats = api.silentTickets()
                .view(KbId.of("demo"))
                .toCompletionStage()
                .toCompletableFuture()
                .get()
                .stats();
        assertThat(stats.holds())
                .as("a grant no worker took measured no agent run: the KB's agent estimates stay as they were")
                .doesNotContainKey(HoldKind.AGENT);
        assertThat(stats.legacyAvgMs()).isZero();
    }

    private static String accepted(HttpResponse<Buffer> response) {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
        return response.bodyAsJsonObject().getString("id");
    }

    private static JsonObject job(String id) {
        return api.call(GET, "/v1/jobs/" + id, CLIENT).bodyAsJsonObject();
    }
}
