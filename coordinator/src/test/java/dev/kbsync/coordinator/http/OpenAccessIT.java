package dev.kbsync.coordinator.http;

import static io.vertx.core.http.HttpMethod.GET;
import static io.vertx.core.http.HttpMethod.PUT;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** auth.enabled=false on a loopback address: every endpoint answers without a token, metrics included. */
class OpenAccessIT {
    @RegisterExtension
    static final ApiFixture api = new ApiFixture(Map.of("KBSYNC_AUTH_ENABLED", "false", "KBSYNC_TOKENS", ""));

    @Test
    void shouldServeEveryRoleWithoutATokenWhenAuthIsOff() {
        assertThat(api.call(GET, "/metrics", null).statusCode()).isEqualTo(200);
        assertThat(api.call(GET, "/v1/kbs", null).statusCode()).isEqualTo(200);
        JsonObject kb = new JsonObject()
                .put("remote", "https://github.com/acme/notes.git")
                .put("branch", "main");
        assertThat(api.call(PUT, "/v1/kbs/notes", null, kb).statusCode()).isEqualTo(200);
    }
}
