package dev.kbsync.coordinator.service;

import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import java.util.Objects;
import java.util.Optional;

/**
 * A job to submit: its KB, its user, what to do, an optional idempotency key (per user), and the name of the token
 * that submits it (empty when unknown): that token, or an admin, may cancel it.
 */
public record Submission(KbId kb, String user, JobPayload payload, Optional<String> idempotencyKey, String submitter) {
    public Submission {
        Objects.requireNonNull(kb, "kb");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        submitter = submitter == null ? "" : submitter;
    }
}
