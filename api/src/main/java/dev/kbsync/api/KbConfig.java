package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A registered KB: its id, the git remote URL (without credentials), the branch workers write to ({@code main} when
 * not given) and where notes without an explicit path go ({@link NotePathTemplate#DEFAULT} when not given, also for
 * registrations stored before templates existed).
 */
public record KbConfig(KbId id, String remote, String branch, NotePathTemplate notePath) {
    public KbConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remote, "remote");
        branch = branch == null || branch.isBlank() ? "main" : branch;
        notePath = notePath == null ? NotePathTemplate.DEFAULT : notePath;
    }

    /** A KB with the default note path template. */
    public KbConfig(KbId id, String remote, String branch) {
        this(id, remote, branch, null);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id.value())
                .put("remote", remote)
                .put("branch", branch)
                .put("notePath", notePath.pattern());
    }

    public static KbConfig fromJson(JsonObject json) {
        return new KbConfig(
                KbId.of(json.getString("id")),
                json.getString("remote"),
                json.getString("branch"),
                NotePathTemplate.orDefault(json.getString("notePath")));
    }
}
