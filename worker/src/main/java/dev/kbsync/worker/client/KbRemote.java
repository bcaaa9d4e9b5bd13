package dev.kbsync.worker.client;

import dev.kbsync.kb.KbId;
import io.vertx.core.json.JsonObject;
import java.util.Objects;

/** Where a KB lives: its git remote URL (without credentials) and the branch jobs write to. */
public record KbRemote(KbId id, String remote, String branch) {
    public KbRemote {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remote, "remote");
        branch = branch == null || branch.isBlank() ? "main" : branch;
    }

    public static KbRemote fromJson(JsonObject json) {
        return new KbRemote(KbId.of(json.getString("id")), json.getString("remote"), json.getString("branch"));
    }
}
