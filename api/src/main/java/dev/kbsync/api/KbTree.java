package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * The files of a KB under a prefix at one commit ({@code GET /v1/kbs/{kb}/tree}), in path order; {@code truncated}
 * when more matched than one answer holds (ask with a narrower prefix).
 */
public record KbTree(KbId kb, String commit, String prefix, List<Entry> entries, boolean truncated) {
    public KbTree {
        entries = List.copyOf(entries);
    }

    /** A file: its KB-relative path, size in bytes and git blob id. */
    public record Entry(String path, long size, String blobId) {
        static Entry fromJson(JsonObject json) {
            return new Entry(json.getString("path"), json.getLong("size"), json.getString("blobId"));
        }
    }

    public static KbTree fromJson(JsonObject json) {
        return new KbTree(
                KbId.of(json.getString("kb")),
                json.getString("commit"),
                json.getString("prefix", ""),
                Json.list(json.getJsonArray("entries"), Entry::fromJson),
                json.getBoolean("truncated", false));
    }
}
