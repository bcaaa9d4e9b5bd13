package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.Optional;

/**
 * A registered KB: its id, the git remote URL (without credentials), the branch workers write to ({@code main} when
 * not given), where notes without an explicit path go ({@link NotePathTemplate#DEFAULT} when not given, also for
 * registrations stored before templates existed), optionally where workers find its git credential (a reference,
 * never the secret; without one a worker uses its own environment's defaults), and its duplicate window: a
 * submission with the same user and content as one accepted within {@code dedupeWindowSeconds} answers with that
 * first job (0: off, the default; at most {@link #MAX_DEDUPE_WINDOW_SECONDS}).
 */
public record KbConfig(
        KbId id,
        String remote,
        String branch,
        NotePathTemplate notePath,
        Optional<CredentialRef> credentials,
        int dedupeWindowSeconds) {
    /** Longest duplicate window: one day. */
    public static final int MAX_DEDUPE_WINDOW_SECONDS = 86_400;

    public KbConfig {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(remote, "remote");
        Objects.requireNonNull(credentials, "credentials");
        branch = branch == null || branch.isBlank() ? "main" : branch;
        notePath = notePath == null ? NotePathTemplate.DEFAULT : notePath;
        if (dedupeWindowSeconds < 0 || dedupeWindowSeconds > MAX_DEDUPE_WINDOW_SECONDS) {
            throw new InvalidInputException(
                    "INVALID_DEDUPE_WINDOW",
                    "dedupeWindowSeconds must be 0 (off) to " + MAX_DEDUPE_WINDOW_SECONDS + ", got "
                            + dedupeWindowSeconds);
        }
    }

    /** A KB without a duplicate window. */
    public KbConfig(
            KbId id, String remote, String branch, NotePathTemplate notePath, Optional<CredentialRef> credentials) {
        this(id, remote, branch, notePath, credentials, 0);
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
        return new KbConfig(id, remote, branch, notePath, Optional.of(reference), dedupeWindowSeconds);
    }

    /** The same KB answering duplicates within {@code seconds} with the first job (0: off). */
    public KbConfig withDedupeWindow(int seconds) {
        return new KbConfig(id, remote, branch, notePath, credentials, seconds);
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("id", id.value())
                .put("remote", remote)
                .put("branch", branch)
                .put("notePath", notePath.pattern());
        credentials.ifPresent(c -> json.put("credentials", c.toJson()));
        if (dedupeWindowSeconds > 0) {
            json.put("dedupeWindowSeconds", dedupeWindowSeconds);
        }
        return json;
    }

    public static KbConfig fromJson(JsonObject json) {
        return new KbConfig(
                KbId.of(json.getString("id")),
                json.getString("remote"),
                json.getString("branch"),
                NotePathTemplate.orDefault(json.getString("notePath")),
                Optional.ofNullable(json.getJsonObject("credentials")).map(CredentialRef::fromJson),
                json.getInteger("dedupeWindowSeconds", 0));
    }
}
