package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.AgentWorkersApiIT.put;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link AgentTaskStrandedApiIT} with a sweep slower than the default (every 4 s): the fleet is read once per sweep,
 * so what one read found is still the answer at the next sweep, and the stranded task still fails.
 */
class AgentTaskStrandedSlowSweepApiIT {
    @RegisterExtension
    static final ApiFixture api =
            new ApiFixture(Map.of("KBSYNC_LEASE_SWEEP_MILLIS", "4000", "KBSYNC_LEASE_TTL_SECONDS", "10"));

    @Test
    void shouldFailAStrandedAgentTaskAlsoWhenTheSweepRunsLessOftenThanEveryFewSeconds() {
        put(api, "w", new JsonArray().add("note").add("agent"));
        var accepted = api.call(
                POST,
                "/v1/kbs/demo/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "u").put("task", "summarize"));
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
        String task = accepted.bodyAsJsonObject().getString("id");

        put(api, "w", new JsonArray().add("note"));

        await().atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(api.call(GET, "/v1/jobs/" + task, CLIENT)
                                .bodyAsJsonObject()
                                .getString("state"))
                        .isEqualTo("failed"));
        assertThat(api.call(GET, "/v1/jobs/" + task, CLIENT)
                        .bodyAsJsonObject()
                        .getJsonObject("error")
                        .getString("code"))
                .isEqualTo("NO_AGENT_WORKER");
    }
}
