package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/**
 * A file read from a KB's snapshot ({@code GET /v1/kbs/{kb}/files/{path}}): the commit it was read at, its git blob id
 * (the ETag: pass {@link #etag()} back to read only if it changed) and its bytes.
 */
public record KbFile(KbId kb, String path, String commit, String blobId, long size, byte[] content) {
    public KbFile {
        Objects.requireNonNull(kb, "kb");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(commit, "commit");
        Objects.requireNonNull(blobId, "blobId");
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    /** The content as UTF-8 text. */
    public String text() {
        return new String(content, StandardCharsets.UTF_8);
    }

    /** The ETag of this version: {@code "<blobId>"}. */
    public String etag() {
        return "\"" + blobId + "\"";
    }

    public static KbFile fromJson(JsonObject json) {
        String content = json.getString("content", "");
        byte[] bytes = "base64".equals(json.getString("encoding"))
                ? Base64.getDecoder().decode(content)
                : content.getBytes(StandardCharsets.UTF_8);
        return new KbFile(
                KbId.of(json.getString("kb")),
                json.getString("path"),
                json.getString("commit"),
                json.getString("blobId"),
                json.getLong("size", (long) bytes.length),
                bytes);
    }
}
