package dev.kbsync.api;

import io.vertx.core.json.JsonObject;

/** What the user asked for: a note to write, or a task for the operator's agent. */
public sealed interface JobPayload {
    JobKind kind();

    JsonObject toJson();

    /** A note; {@code title} and {@code path} may be null (derived from the text). */
    record Note(String text, String title, String path) implements JobPayload {
        @Override
        public JobKind kind() {
            return JobKind.NOTE;
        }

        @Override
        public JsonObject toJson() {
            return new JsonObject().put("text", text).put("title", title).put("path", path);
        }
    }

    /** A free-form task run by the configured agent command inside the checkout. */
    record Agent(String task) implements JobPayload {
        @Override
        public JobKind kind() {
            return JobKind.AGENT;
        }

        @Override
        public JsonObject toJson() {
            return new JsonObject().put("task", task);
        }
    }

    static JobPayload fromJson(JobKind kind, JsonObject json) {
        return switch (kind) {
            case NOTE -> new Note(json.getString("text"), json.getString("title"), json.getString("path"));
            case AGENT -> new Agent(json.getString("task"));
        };
    }
}
