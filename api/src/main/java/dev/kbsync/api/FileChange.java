package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** One file a job changed; {@code url} is a GitHub blob link or null for other hosts. */
public record FileChange(String path, Change change, String url) {
    public enum Change {
        CREATED,
        EDITED,
        DELETED
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("path", path)
                .put("change", change.name().toLowerCase(Locale.ROOT))
                .put("url", url);
    }

    public static FileChange fromJson(JsonObject json) {
        return new FileChange(
                json.getString("path"),
                Change.valueOf(json.getString("change").toUpperCase(Locale.ROOT)),
                json.getString("url"));
    }
}
