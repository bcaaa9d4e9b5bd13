package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.GET;
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
 * An agent task is accepted only while a worker that runs agents may take it: a fleet whose known workers (up, or gone
 * but not yet forgotten) all run notes only refuses it with 409 NO_AGENT_WORKER and stores nothing, instead of queueing
 * a task that would hold its KB (and every job behind it) until such a worker joins. A fleet with no known worker
 * queues it, as it queues notes.
 */
class AgentWorkersApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of());

    @Test
    void shouldRefuseAnAgentTaskWhileNoKnownWorkerRunsAgents() {
        HttpResponse<Buffer> beforeAnyWorker = task("first");
        assertThat(beforeAnyWorker.statusCode())
                .as(beforeAnyWorker.bodyAsString())
                .isEqualTo(202);

        put(api, "notes-only", new JsonArray().add("note"));
        assertError(task("refused"), 409, "NO_AGENT_WORKER");
        assertError(
                api.call(
                        POST,
                        "/v1/kbs/no-such-kb/agent-tasks",
                        CLIENT,
                        new JsonObject().put("user", "u").put("task", "t")),
                404,
                "KB_NOT_FOUND");
        assertThat(jobs()).as("nothing stored").isEqualTo(1);
        HttpResponse<Buffer> note = api.call(
                POST,
                "/v1/kbs/demo/notes",
                CLIENT,
                new JsonObject().put("user", "u").put("text", "a note"));
        assertThat(note.statusCode()).as("notes are taken as before").isEqualTo(202);

        JsonObject older = WorkersApiIT.presence();
        older.remove("kinds");
        HttpResponse<Buffer> olderPut = api.call(PUT, "/v1/workers/older", WORKER, older);
        assertThat(olderPut.statusCode()).as(olderPut.bodyAsString()).isEqualTo(200);
        HttpResponse<Buffer> byOlder = task("an older worker runs every kind");
        assertThat(byOlder.statusCode()).as(byOlder.bodyAsString()).isEqualTo(202);

        put(api, "with-agent", new JsonArray().add("note").add("agent"));
        HttpResponse<Buffer> accepted = task("accepted");
        assertThat(accepted.statusCode()).as(accepted.bodyAsString()).isEqualTo(202);
        assertThat(jobs()).isEqualTo(4);
    }

    private static HttpResponse<Buffer> task(String text) {
        return api.call(
                POST,
                "/v1/kbs/demo/agent-tasks",
                CLIENT,
                new JsonObject().put("user", "u").put("task", text));
    }

    static void put(ApiFixture api, String id, JsonArray kinds) {
        JsonObject presence = WorkersApiIT.presence().put("kinds", kinds);
        HttpResponse<Buffer> put = api.call(PUT, "/v1/workers/" + id, WORKER, presence);
        assertThat(put.statusCode()).as(put.bodyAsString()).isEqualTo(200);
    }

    private static int jobs() {
        return api.call(GET, "/v1/jobs?kb=demo", CLIENT)
                .bodyAsJsonObject()
                .getJsonArray("jobs")
                .size();
    }
}
