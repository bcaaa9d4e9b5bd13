package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A registered KB: its id, the git remote URL (without credentials) and the branch workers write to ({@code main} when
 * not given).
 */
public record KbConfig(KbId id, String remote, String branch) {
    public KbConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remote, "remote");
        branch = branch == null || branch.isBlank() ? "main" : branch;
    }

    public JsonObject toJson() {
        return new JsonObject().put("id", id.value()).put("remote", remote).put("branch", branch);
    }

    public static KbConfig fromJson(JsonObject json) {
        return new KbConfig(KbId.of(json.getString("id")), json.getString("remote"), json.getString("branch"));
    }
}
