package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A note to submit ({@code POST /v1/kbs/{kb}/notes}): who asks ({@code user}; null leaves it out, for a token scoped
 * to exactly one user, who the coordinator takes it for), the markdown text, and optionally a title, a path in
 * the KB, an {@code Idempotency-Key} (sent as a header: a retry with the same key returns the same job) and a
 * {@code callbackUrl} the coordinator posts the job to when it ends (webhooks, docs/api.md).
 */
public record NoteRequest(
        String user, String text, String title, String path, String idempotencyKey, String callbackUrl) {
    public NoteRequest {
        Objects.requireNonNull(text, "text");
        checkIdempotencyKey(idempotencyKey);
    }

    /**
     * {@code key} (null: none) if the coordinator takes it as an {@code Idempotency-Key} ({@link OpaqueId}), else
     * {@link InvalidInputException} {@code INVALID_IDEMPOTENCY_KEY}, as the coordinator would answer: refused before
     * it is sent (a key with a line break could not even be sent as a header).
     */
    static String checkIdempotencyKey(String key) {
        return key == null ? null : OpaqueId.check("INVALID_IDEMPOTENCY_KEY", "Idempotency-Key", key);
    }

    /** Without a callback URL. */
    public NoteRequest(String user, String text, String title, String path, String idempotencyKey) {
        this(user, text, title, path, idempotencyKey, null);
    }

    public static NoteRequest of(String user, String text) {
        return new NoteRequest(user, text, null, null, null);
    }

    public NoteRequest withTitle(String title) {
        return new NoteRequest(user, text, title, path, idempotencyKey, callbackUrl);
    }

    public NoteRequest withPath(String path) {
        return new NoteRequest(user, text, title, path, idempotencyKey, callbackUrl);
    }

    /** With an {@code Idempotency-Key}: {@code [A-Za-z0-9._:~-]{1,128}}, else {@link InvalidInputException}. */
    public NoteRequest withIdempotencyKey(String key) {
        return new NoteRequest(user, text, title, path, key, callbackUrl);
    }

    public NoteRequest withCallbackUrl(String url) {
        return new NoteRequest(user, text, title, path, idempotencyKey, url);
    }

    /** The request body (the idempotency key is a header, not part of it). */
    public JsonObject toJson() {
        JsonObject body = new JsonObject();
        if (user != null) {
            body.put("user", user);
        }
        body.put("text", text);
        if (title != null) {
            body.put("title", title);
        }
        if (path != null) {
            body.put("path", path);
        }
        if (callbackUrl != null) {
            body.put("callbackUrl", callbackUrl);
        }
        return body;
    }
}
