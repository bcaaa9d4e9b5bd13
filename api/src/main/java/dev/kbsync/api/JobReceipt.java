package dev.kbsync.api;

import io.vertx.core.json.JsonObject;

/**
 * The short answer to a submission that asked for it ({@code Prefer: return=minimal}, HTTP contract v1): the job's id,
 * its KB, its state and its place in the queue ({@code ahead}, {@code etaMs}, {@code etaP90Ms}, as in {@link Job}),
 * without the payload the caller just sent or the fields a new job has empty. The whole job is at
 * {@code GET /v1/jobs/{id}} (the answer's {@code Location}).
 */
public record JobReceipt(String id, KbId kb, JobState state, long ahead, long etaMs, long etaP90Ms) {

    /** The receipt of {@code job}. */
    public static JobReceipt of(Job job) {
        return new JobReceipt(job.id(), job.kb(), job.state(), job.ahead(), job.etaMs(), job.etaP90Ms());
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("kb", kb.value())
                .put("state", state.wire())
                .put("ahead", ahead)
                .put("etaMs", etaMs)
                .put("etaP90Ms", etaP90Ms);
    }

    /** Reads a receipt, or the same fields of a whole job (a coordinator that does not honour the preference). */
    public static JobReceipt fromJson(JsonObject json) {
        long eta = json.getLong("etaMs", 0L);
        return new JobReceipt(
                json.getString("id"),
                KbId.of(json.getString("kb")),
                JobState.fromWire(json.getString("state")),
                json.getLong("ahead", 0L),
                eta,
                json.getLong("etaP90Ms", eta));
    }
}
