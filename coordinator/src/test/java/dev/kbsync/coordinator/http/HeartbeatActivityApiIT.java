package dev.kbsync.coordinator.http;

import static dev.kbsync.coordinator.http.ApiFixture.ADMIN;
import static dev.kbsync.coordinator.http.ApiFixture.CLIENT;
import static dev.kbsync.coordinator.http.ApiFixture.WORKER;
import static dev.kbsync.coordinator.http.JobApiIT.assertError;
import static io.vertx.core.http.HttpMethod.POST;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.redis.RespClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A heartbeat may say what its holder is doing ({@code {"doing":...}}): kept with the grant, in the heartbeat's own
 * step; a heartbeat without a body (an older worker, curl) extends the grant as before, and a bad value is a 400 that
 * stores nothing and extends nothing.
 */
class HeartbeatActivityApiIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture();

    private String lease;

    @BeforeEach
    void grant() {
        api.call(
                PUT,
                "/v1/kbs/beats",
                ADMIN,
                new JsonObject().put("remote", "/srv/b.git").put("branch", "main"));
        api.call(POST, "/v1/admin/kbs/beats/force-release", ADMIN);
        JsonObject granted = api.call(POST, "/v1/kbs/beats/leases", CLIENT, new JsonObject().put("holder", "w"))
                .bodyAsJsonObject();
        assertThat(granted.getString("state")).isEqualTo("granted");
        lease = granted.getString("id");
    }

    @Test
    void shouldKeepWhatTheLastHeartbeatSaidWithTheGrant() {
        assertThat(beat(new JsonObject().put("doing", "syncing with https://git.example.com/team.git")))
                .isEqualTo(200);
        assertThat(doing()).isEqualTo("syncing with https://git.example.com/team.git");

        assertThat(beat(new JsonObject().put("doing", "running the agent"))).isEqualTo(200);
        assertThat(doing()).isEqualTo("running the agent");

        assertThat(beat(new JsonObject()))
                .as("no field: what it said last stands")
                .isEqualTo(200);
        assertThat(doing()).isEqualTo("running the agent");

        assertThat(beat(new JsonObject().put("doing", "  ")))
                .as("a blank one: it says nothing now")
                .isEqualTo(200);
        assertThat(doing()).isEmpty();
        assertThat(beat(new JsonObject().put("doing", " committing "))).isEqualTo(200);
        assertThat(doing()).isEqualTo("committing");
    }

    @Test
    void shouldExtendAGrantHeartbeatenWithoutABodyAsBefore() {
        assertThat(api.call(POST, "/v1/leases/" + lease + "/heartbeat", WORKER).statusCode())
                .as("no body, no Content-Type")
                .isEqualTo(200);
        assertThat(api.raw(POST, "/v1/leases/" + lease + "/heartbeat", CLIENT, null, Buffer.buffer())
                        .statusCode())
                .isEqualTo(200);
        assertThat(api.raw(POST, "/v1/leases/" + lease + "/heartbeat", CLIENT, "application/json", Buffer.buffer("{}"))
                        .statusCode())
                .isEqualTo(200);
        assertThat(doing()).isNull();
    }

    @Test
    void shouldRefuseABadDoingAndStoreNothing() {
        beat(new JsonObject().put("doing", "committing"));
        String expires = field("expires");

        assertBadBeat(new JsonObject().put("doing", "x".repeat(201)), "INVALID_FIELD");
        assertBadBeat(new JsonObject().put("doing", 42), "INVALID_FIELD");
        assertBadBeat(new JsonObject().put("doing", new JsonObject()), "INVALID_FIELD");
        assertBadBeat(new JsonObject().put("doing", "running\nthe agent"), "INVALID_FIELD");
        assertBadBeat(new JsonObject().put("doing", "running\u0085the agent"), "INVALID_FIELD");
        assertBadBeat(new JsonObject().put("doing", "ok").put("extra", 1), "UNKNOWN_FIELD");
        assertError(
                api.raw(POST, "/v1/leases/" + lease + "/heartbeat", WORKER, "application/json", Buffer.buffer("[]")),
                400,
                "INVALID_JSON");
        assertThat(api.raw(
                                POST,
                                "/v1/leases/" + lease + "/heartbeat",
                                WORKER,
                                "text/plain",
                                Buffer.buffer("{\"doing\":\"x\"}"))
                        .statusCode())
                .isEqualTo(415);

        assertThat(doing()).isEqualTo("committing");
        assertThat(field("expires")).as("a refused heartbeat extends nothing").isEqualTo(expires);
        assertThat(beat(new JsonObject().put("doing", "x".repeat(200)))).isEqualTo(200);
    }

    private void assertBadBeat(JsonObject body, String code) {
        assertError(api.call(POST, "/v1/leases/" + lease + "/heartbeat", WORKER, body), 400, code);
    }

    private int beat(JsonObject body) {
        return api.call(POST, "/v1/leases/" + lease + "/heartbeat", WORKER, body)
                .statusCode();
    }

    private static String doing() {
        return field("doing");
    }

    private static String field(String name) {
        return (String)
                RespClient.once(api.redis.port(), Duration.ofSeconds(2), "HGET", "kbsync:{kb:beats}:lease", name);
    }
}
