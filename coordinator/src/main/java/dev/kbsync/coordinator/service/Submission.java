package dev.kbsync.coordinator.service;

import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.ratelimit.Limits;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * A job to submit: its KB, its user, what to do, an optional idempotency key (per user and KB), the name of the token
 * that submits it (empty when unknown: that token, or an admin, may cancel it), the URL its terminal state is posted
 * to ('' when none; validated by the HTTP layer), the rate-limit windows it counts in, and whether no known worker runs
 * its kind ({@code noRunner}: the step then answers an earlier job of its idempotency key or content, as any retry, but
 * stores no new one: 409 NO_AGENT_WORKER), and the failed or cancelled job it submits again ({@code retryOf}, see
 * {@link Retried}). The KB's duplicate window (same user and content answer with the first job)
 * is the KB's own, read in the submit's step.
 */
public record Submission(
        KbId kb,
        String user,
        JobPayload payload,
        Optional<String> idempotencyKey,
        String submitter,
        String callbackUrl,
        Limits limits,
        boolean noRunner,
        Optional<Retried> retryOf) {
    public Submission {
        Objects.requireNonNull(kb, "kb");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
        submitter = submitter == null ? "" : submitter;
        callbackUrl = callbackUrl == null ? "" : callbackUrl;
        limits = limits == null ? Limits.NONE : limits;
        Objects.requireNonNull(retryOf, "retryOf");
    }

    /** Without a callback URL, counted in no rate-limit window. */
    public Submission(KbId kb, String user, JobPayload payload, Optional<String> idempotencyKey, String submitter) {
        this(kb, user, payload, idempotencyKey, submitter, "", Limits.NONE, false, Optional.empty());
    }

    /** The key the duplicate check shares: a hash over the user and the payload (kind and content). */
    public String contentHash() {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((user + "\n" + payload.kind().wire() + "\n"
                                    + payload.toJson().encode())
                            .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }
}
