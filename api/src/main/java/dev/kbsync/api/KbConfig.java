package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered KB: its id, the git remote URL (without credentials), the branch workers write to ({@code main} when
 * not given) and, optionally, where workers find its git credential (a reference, never the secret; without one a
 * worker uses its own environment's defaults).
 */
public record KbConfig(KbId id, String remote, String branch, Optional<CredentialRef> credentials) {
    public KbConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(credentials, "credentials");
        branch = branch == null || branch.isBlank() ? "main" : branch;
    }

    /** A KB whose workers use their own environment's credentials. */
    public KbConfig(KbId id, String remote, String branch) {
        this(id, remote, branch, Optional.empty());
    }

    public JsonObject toJson() {
        JsonObject json =
                new JsonObject().put("id", id.value()).put("remote", remote).put("branch", branch);
        credentials.ifPresent(c -> json.put("credentials", c.toJson()));
        return json;
    }

    public static KbConfig fromJson(JsonObject json) {
        return new KbConfig(
                KbId.of(json.getString("id")),
                json.getString("remote"),
                json.getString("branch"),
                Optional.ofNullable(json.getJsonObject("credentials")).map(CredentialRef::fromJson));
    }
}
