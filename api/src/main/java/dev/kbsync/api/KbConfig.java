package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered KB: its id, the git remote URL (without credentials), the branch workers write to ({@code main} when
 * not given), where notes without an explicit path go ({@link NotePathTemplate#DEFAULT} when not given, also for
 * registrations stored before templates existed) and, optionally, where workers find its git credential (a
 * reference, never the secret; without one a worker uses its own environment's defaults).
 */
public record KbConfig(
        KbId id, String remote, String branch, NotePathTemplate notePath, Optional<CredentialRef> credentials) {
    public KbConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(credentials, "credentials");
        branch = branch == null || branch.isBlank() ? "main" : branch;
        notePath = notePath == null ? NotePathTemplate.DEFAULT : notePath;
    }

    /** A KB without a credential reference. */
    public KbConfig(KbId id, String remote, String branch, NotePathTemplate notePath) {
        this(id, remote, branch, notePath, Optional.empty());
    }

    /** A KB with the default note path template and without a credential reference. */
    public KbConfig(KbId id, String remote, String branch) {
        this(id, remote, branch, null);
    }

    /** The same KB with workers finding its git credential through {@code reference}. */
    public KbConfig withCredentials(CredentialRef reference) {
        return new KbConfig(id, remote, branch, notePath, Optional.of(reference));
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("id", id.value())
                .put("remote", remote)
                .put("branch", branch)
                .put("notePath", notePath.pattern());
        credentials.ifPresent(c -> json.put("credentials", c.toJson()));
        return json;
    }

    public static KbConfig fromJson(JsonObject json) {
        return new KbConfig(
                KbId.of(json.getString("id")),
                json.getString("remote"),
                json.getString("branch"),
                NotePathTemplate.orDefault(json.getString("notePath")),
                Optional.ofNullable(json.getJsonObject("credentials")).map(CredentialRef::fromJson));
    }
}
