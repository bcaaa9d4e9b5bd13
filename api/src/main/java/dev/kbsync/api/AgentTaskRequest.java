package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/** An agent task to submit ({@code POST /v1/kbs/{kb}/agent-tasks}), optionally with an {@code Idempotency-Key}. */
public record AgentTaskRequest(String user, String task, String idempotencyKey) {
    public AgentTaskRequest {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(task, "task");
    }

    public static AgentTaskRequest of(String user, String task) {
        return new AgentTaskRequest(user, task, null);
    }

    public AgentTaskRequest withIdempotencyKey(String key) {
        return new AgentTaskRequest(user, task, key);
    }

    /** The request body (the idempotency key is a header, not part of it). */
    public JsonObject toJson() {
        return new JsonObject().put("user", user).put("task", task);
    }
}
