package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.AgentWorkersApiIT.put;
import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The refusal of an agent task nobody can run (409 NO_AGENT_WORKER) is for a task that would be stored now: a retry of
 * one already stored, under its idempotency key or within its KB's duplicate window, answers that task, as any retry
 * does, even after the fleet's last agent worker left.
 */
class AgentTaskRetryApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of());

    @Test
    void shouldAnswerARetryOfAStoredAgentTaskAfterTheLastAgentWorkerLeft() {
        HttpResponse<Buffer> registered = api.call(
                PUT,
                "/v1/kbs/retried",
                ADMIN,
                new JsonObject()
                        .put("remote", "/srv/git/retried.git")
                        .put("branch", "main")
                        .put("dedupeWindowSeconds", 600));
        assertThat(registered.statusCode()).as(registered.bodyAsString()).isBetween(200, 201);
        put(api, "agent-then-notes", new JsonArray().add("note").add("agent"));
        HttpResponse<Buffer> keyed = keyed("keyed", "key-1");
        assertThat(keyed.statusCode()).as(keyed.bodyAsString()).isEqualTo(202);
        HttpResponse<Buffer> plain = task("plain");
        assertThat(plain.statusCode()).as(plain.bodyAsString()).isEqualTo(202);

        put(api, "agent-then-notes", new JsonArray().add("note"));
        HttpResponse<Buffer> retried = keyed("keyed", "key-1");
        assertThat(retried.statusCode()).as(retried.bodyAsString()).isEqualTo(202);
        assertThat(retried.bodyAsJsonObject().getString("id"))
                .isEqualTo(keyed.bodyAsJsonObject().getString("id"));
        HttpResponse<Buffer> duplicate = task("plain");
        assertThat(duplicate.statusCode()).as(duplicate.bodyAsString()).isEqualTo(200);
        assertThat(duplicate.bodyAsJsonObject().getString("id"))
                .isEqualTo(plain.bodyAsJsonObject().getString("id"));

        assertError(keyed("another", "key-2"), 409, "NO_AGENT_WORKER");
        assertError(task("new"), 409, "NO_AGENT_WORKER");
    }

    private static HttpResponse<Buffer> keyed(String text, String key) {
        return api.request(POST, "/v1/kbs/retried/agent-tasks", CLIENT)
                .putHeader("Idempotency-Key", key)
                .sendJsonObject(new JsonObject().put("user", "u").put("task", text))
                .await();
    }

    private static HttpResponse<Buffer> task(String text) {
        return api.call(
                POST,
                "/v1/kbs/retried/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "u").put("task", text));
    }
}
