package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;

/** Recent commits of a KB, newest first ({@code GET /v1/kbs/{kb}/log}), from {@code commit} down. */
public record KbLog(KbId kb, String commit, String path, List<Entry> commits) {
    public KbLog {
        commits = List.copyOf(commits);
    }

    /** A commit with its {@code Kbsync-Job} and {@code Kbsync-Fence} trailers (null when it has none). */
    public record Entry(String id, String subject, String author, Instant time, String job, Long fence) {
        static Entry fromJson(JsonObject json) {
            return new Entry(
                    json.getString("id"),
                    json.getString("subject"),
                    json.getString("author"),
                    Instant.parse(json.getString("time")),
                    json.getString("job"),
                    json.getLong("fence"));
        }
    }

    public static KbLog fromJson(JsonObject json) {
        return new KbLog(
                KbId.of(json.getString("kb")),
                json.getString("commit"),
                json.getString("path"),
                Json.list(json.getJsonArray("commits"), Entry::fromJson));
    }
}
