package dev.kbsync.coordinator.kb;

import dev.kbsync.kb.KbId;
import io.vertx.core.json.JsonObject;

/** A registered KB: its id, the git remote URL (without credentials) and the branch workers write to. */
public record KbConfig(KbId id, String remote, String branch) {
    public JsonObject toJson() {
        return new JsonObject().put("id", id.value()).put("remote", remote).put("branch", branch);
    }

    public static KbConfig fromJson(JsonObject json) {
        return new KbConfig(KbId.of(json.getString("id")), json.getString("remote"), json.getString("branch"));
    }
}
