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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * A worker that runs agents, its presence stored just after the sweep's last read of the fleet found none (the read
     * that stranded a task), is heard at once: an agent task submitted right after it waits for its poll, not failed on
     * that read.
     */
    @Test
    void shouldKeepAnAgentTaskSubmittedRightAfterAnAgentWorkerJoinedAFleetReadAsHavingNone() {
        api.kb("joined");
        put(api, "w-joined", new JsonArray().add("note").add("agent"));
        String stranded = accepted(agentTask("joined"));
        put(api, "w-joined", new JsonArray().add("note"));
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () -> assertThat(job(stranded).getString("state")).isEqualTo("failed"));

        put(api, "w-joined", new JsonArray().add("note").add("agent"));
        try {
            String task = accepted(agentTask("joined"));

            await().during(Duration.ofMillis(1500))
                    .atMost(Duration.ofSeconds(3))
                    .untilAsserted(() -> assertThat(job(task).getString("state"))
                            .as("several sweeps within 3 s of the read that found no agent worker")
                            .isEqualTo("queued"));
            JsonObject assignment = polledForAgents("w-joined");
            assertThat(assignment.getJsonObject("job").getString("id")).isEqualTo(task);
            reported(assignment, new JsonObject().put("state", "done"));
        } finally {
            put(api, "w-joined", new JsonArray().add("note")); // the other cases' fleets run no agents
        }
    }

    /**
     * A stranded agent task that a worker already ran (its attempt ended in a way that queues it again) may be on the
     * remote: its NO_AGENT_WORKER error says so, and how to find out, so that its bot does not submit it again blindly.
     * After a PUSH_UNCERTAIN attempt it says that push may have landed, as any final error then does.
     */
    @ParameterizedTest
    @CsvSource({
        "REMOTE_UNAVAILABLE, stranded-ran, an earlier attempt ran on a worker and its push may have landed",
        "PUSH_UNCERTAIN, stranded-uncertain, an earlier attempt's push may have landed (PUSH_UNCERTAIN)"
    })
    void shouldSayAStrandedAgentTaskAWorkerRanMayHaveLanded(String code, String kb, String said) {
        api.kb(kb);
        String worker = "w-" + kb;
        put(api, worker, new JsonArray().add("note").add("agent"));
        String task = accepted(agentTask(kb));
        JsonObject assignment = polledForAgents(worker);
        assertThat(assignment.getJsonObject("job").getString("id")).isEqualTo(task);
        JsonObject reported = reported(
                assignment,
                new JsonObject()
                        .put("state", "failed")
                        .put("error", new JsonObject().put("code", code).put("message", "the remote did not answer")));
        assertThat(reported.getString("state")).isEqualTo("queued");

        put(api, worker, new JsonArray().add("note"));

        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(job(task).getString("state")).isEqualTo("failed"));
        JsonObject error = job(task).getJsonObject("error");
        assertThat(error.getString("code")).isEqualTo("NO_AGENT_WORKER");
        assertThat(error.getString("message"))
                .startsWith("no known worker runs agents")
                .contains(said)
                .contains("Kbsync-Job trailer");
    }

    /** An agent task submitted by a user named after its KB (the fixture allows a user 5 submissions a minute). */
    private static HttpResponse<Buffer> agentTask(String kb) {
        return api.call(
                POST,
                "/v1/kbs/" + kb + "/agent-tasks",
                CLIENT,
                new JsonObject().put("user", kb).put("task", "summarize"));
    }

    /** The assignment a poll of {@code worker}, which runs agents only, was answered with. */
    private static JsonObject polledForAgents(String worker) {
        HttpResponse<Buffer> polled = api.call(
                POST,
                "/v1/workers/" + worker + "/poll",
                WORKER,
                new JsonObject()
                        .put("waitMs", 5000)
                        .put("presence", WorkersApiIT.presence().put("kinds", new JsonArray().add("agent"))));
        assertThat(polled.statusCode()).as(polled.bodyAsString()).isEqualTo(200);
        return polled.bodyAsJsonObject();
    }

    /** Reports {@code outcome} of the assignment's job under its lease; the job as recorded. */
    private static JsonObject reported(JsonObject assignment, JsonObject outcome) {
        HttpResponse<Buffer> reported = api.call(
                POST,
                "/v1/jobs/" + assignment.getJsonObject("job").getString("id") + "/result",
                WORKER,
                outcome.put("leaseId", assignment.getJsonObject("lease").getString("id")));
        assertThat(reported.statusCode()).as(reported.bodyAsString()).isEqualTo(200);
        return reported.bodyAsJsonObject();
    }

    private static String accepted(HttpResponse<Buffer> response) {
        assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(202);
        return response.bodyAsJsonObject().getString("id");
    }

    private static JsonObject job(String id) {
        return api.call(GET, "/v1/jobs/" + id, CLIENT).bodyAsJsonObject();
    }
}
