package dev.kbsync.api.event;

import dev.kbsync.api.Job;
import io.vertx.core.json.JsonObject;
import java.util.Optional;

/** An event of a job's stream ({@code GET /v1/jobs/{id}/events}), with the whole job. */
public sealed interface JobEvent extends KbsyncEvent {
    Job job();

    @Override
    default JsonObject data() {
        return job().toJson();
    }

    @Override
    default boolean last() {
        return job().state().terminal();
    }

    /** The job's queue position ({@code ahead}, {@code etaMs}) changed. */
    record Position(Job job) implements JobEvent {
        @Override
        public String name() {
            return "position";
        }
    }

    /** The job's state changed (also the first event of a stream: the state when it opened). */
    record State(Job job) implements JobEvent {
        @Override
        public String name() {
            return "state";
        }
    }

    /**
     * What the job's worker says it is doing changed ({@code doing}, told by a heartbeat that says something else than
     * the one before); the job is running.
     */
    record Doing(Job job) implements JobEvent {
        @Override
        public String name() {
            return "doing";
        }
    }

    /** The event an SSE frame carries; empty for an event name this version does not know. */
    static Optional<JobEvent> decode(String name, JsonObject data) {
        return switch (name) {
            case "position" -> Optional.of(new Position(Job.fromJson(data)));
            case "state" -> Optional.of(new State(Job.fromJson(data)));
            case "doing" -> Optional.of(new Doing(Job.fromJson(data)));
            default -> Optional.empty();
        };
    }
}
