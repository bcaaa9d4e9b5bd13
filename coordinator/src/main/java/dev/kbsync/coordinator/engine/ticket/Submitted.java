package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Enqueued;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Optional;

/**
 * A submit step's answer (submit.lua, then enqueue.lua). {@code remaining}: the least room left in the rate windows
 * the step counted in ({@link Integer#MAX_VALUE} when it counted in none).
 */
public sealed interface Submitted {
    /** The KB has no registration in its slot: unknown, or registered by a version that kept none there. */
    record NoKb() implements Submitted {}

    /**
     * No known worker runs the job's kind and its claim names no earlier job: nothing was counted or stored (see
     * {@link SubmitStep#noRunner()}).
     */
    record NoRunner() implements Submitted {}

    /** The step's rate window at {@code window} (0-based) is full: nothing was counted or stored. */
    record Limited(int window, Duration retryAfter) implements Submitted {}

    /**
     * The idempotency key, or the same user and content within the KB's duplicate window ({@code duplicate}), names an
     * earlier job, answered as it is stored now, with the callback URL it was submitted with ('' when none; empty when
     * its ticket could not be read); nothing was stored.
     */
    record First(Job job, Optional<String> callbackUrl, boolean duplicate, int remaining) implements Submitted {}

    /** The job is stored and queued (or was already, under its ticket: a retried step). */
    record Created(Enqueued enqueued, int remaining) implements Submitted {}

    static Submitted decode(String ticket, JsonObject r) {
        int remaining = r.getInteger("remaining", Integer.MAX_VALUE);
        return switch (r.getString("r", "")) {
            case "nokb" -> new NoKb();
            case "norunner" -> new NoRunner();
            case "limited" -> new Limited(r.getInteger("w") - 1, Duration.ofMillis(Math.max(0, r.getLong("retry"))));
            case "first" ->
                new First(
                        Replies.storedJob(r.getString("ticket"), r)
                                .orElseThrow()
                                .job(),
                        Records.view(r.getString("ticket"), r.getJsonObject("view"))
                                .map(v -> v.ticket().callbackUrl()),
                        r.getBoolean("dup", false),
                        remaining);
            default -> new Created(Replies.enqueued(ticket, r), remaining);
        };
    }
}
