package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.ratelimit.Limits;
import dev.kbsync.coordinator.service.Restoration;
import java.util.Optional;

/**
 * A submit's step: the new {@code job} under {@code ref} (its lease TTL), the submitting token's name and callback URL
 * ('' when none), its idempotency key (else the content hash of the KB's duplicate check; '': none), and the rate windows counted
 * in the step ({@code clockMs}: the coordinator's clock; {@code member}: the submission's entry in them); for a job
 * restored from a degraded coordinator's journal, what its degraded runs did ({@code restoration}); {@code noRunner}:
 * no known worker runs the job's kind, so the step answers only an earlier job of its claim and stores none.
 */
public record SubmitStep(
        JobRef ref,
        Job job,
        long ttlMs,
        String submitter,
        String callbackUrl,
        Optional<String> idempotencyKey,
        String contentHash,
        Limits limits,
        long clockMs,
        String member,
        Restoration restoration,
        boolean noRunner) {
    /** What the step claims: idem (the idempotency key), dedupe (the content, if the KB has a window) or none. */
    String claim() {
        return idempotencyKey.isPresent() ? "idem" : contentHash.isEmpty() ? "none" : "dedupe";
    }

    /**
     * The key the step claims: the duplicate check's, or for an idempotency key the key an earlier version kept it in
     * (read only, until it expires; not touched for none).
     */
    String claimKey() {
        return idempotencyKey
                .map(key -> ref.keys().idempotency(job.user(), key))
                .orElseGet(() -> ref.keys().duplicate(contentHash));
    }

    /** The idempotency key's field in the KB's claims hash ({@link KbKeys#claims()}); '' without one. */
    String claimField() {
        return idempotencyKey
                .map(key -> KbKeys.idempotencyField(job.user(), key))
                .orElse("");
    }
}
