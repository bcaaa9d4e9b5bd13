package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * An agent task to submit ({@code POST /v1/kbs/{kb}/agent-tasks}): who asks ({@code user}; null leaves it out, for a
 * token scoped to exactly one user) and the task, optionally with an {@code Idempotency-Key} and a
 * {@code callbackUrl} the coordinator posts the job to when it ends.
 */
public record AgentTaskRequest(String user, String task, String idempotencyKey, String callbackUrl) {
    public AgentTaskRequest {
        Objects.requireNonNull(task, "task");
        NoteRequest.checkIdempotencyKey(idempotencyKey);
    }

    /** Without a callback URL. */
    public AgentTaskRequest(String user, String task, String idempotencyKey) {
        this(user, task, idempotencyKey, null);
    }

    public static AgentTaskRequest of(String user, String task) {
        return new AgentTaskRequest(user, task, null);
    }

    /** With an {@code Idempotency-Key}: {@code [A-Za-z0-9._:~-]{1,128}}, else {@link InvalidInputException}. */
    public AgentTaskRequest withIdempotencyKey(String key) {
        return new AgentTaskRequest(user, task, key, callbackUrl);
    }

    public AgentTaskRequest withCallbackUrl(String url) {
        return new AgentTaskRequest(user, task, idempotencyKey, url);
    }

    /** The request body (the idempotency key is a header, not part of it). */
    public JsonObject toJson() {
        JsonObject body = new JsonObject();
        if (user != null) {
            body.put("user", user);
        }
        body.put("task", task);
        if (callbackUrl != null) {
            body.put("callbackUrl", callbackUrl);
        }
        return body;
    }
}
