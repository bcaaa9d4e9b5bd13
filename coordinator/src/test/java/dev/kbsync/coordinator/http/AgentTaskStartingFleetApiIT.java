package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.AgentWorkersApiIT.put;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.POST;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A fleet that is starting: an agent task accepted before any worker was known, a worker without an agent up first,
 * the one with an agent a moment later. The task is not failed {@code NO_AGENT_WORKER} in between: only a fleet known
 * for a whole worker TTL (the lease TTL, here 8 s) without an agent worker strands it.
 */
class AgentTaskStartingFleetApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_LEASE_TTL_SECONDS", "8"));

    @Test
    void shouldKeepAnAgentTaskForAnAgentWorkerThatJoinsSoonAfterAWorkerWithoutOne() throws Exception {
        HttpResponse<Buffer> submitted = api.call(
                POST,
                "/v1/kbs/demo/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "u").put("task", "summarize"));
        assertThat(submitted.statusCode())
                .as("no worker known yet: one may come")
                .isEqualTo(202);
        String task = submitted.bodyAsJsonObject().getString("id");

        put(api, "notes-first", new JsonArray().add("note"));
        Thread.sleep(2500); // several sweeps of the KB, each finding no known worker that runs agents
        put(api, "agents-later", new JsonArray().add("note").add("agent"));

        assertThat(job(task).getString("state")).isEqualTo("queued");
        HttpResponse<Buffer> polled = api.call(
                POST,
                "/v1/workers/agents-later/poll",
                WORKER,
                new JsonObject()
                        .put("waitMs", 5000)
                        .put(
                                "presence",
                                WorkersApiIT.presence()
                                        .put(
                                                "kinds",
                                                new JsonArray().add("note").add("agent"))));
        assertThat(polled.statusCode()).as(polled.bodyAsString()).isEqualTo(200);
        assertThat(polled.bodyAsJsonObject().getJsonObject("job").getString("id"))
                .isEqualTo(task);
    }

    private static JsonObject job(String id) {
        return api.call(GET, "/v1/jobs/" + id, CLIENT).bodyAsJsonObject();
    }
}
