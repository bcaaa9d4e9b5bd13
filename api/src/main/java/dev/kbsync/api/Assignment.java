package dev.kbsync.api;

import io.vertx.core.json.JsonObject;

/**
 * What a worker receives from a poll: a granted lease, the job to run under it, and where the KB lives.
 * {@code previousFencingToken}: the KB's fencing token right before this grant (the last token of the KB's grant
 * before it, a group-commit member's included), so a worker that held the KB with that token knows nobody held it in
 * between; null when unknown (a group-commit member, a coordinator that does not send it). {@code notesBehind}: whether
 * a queued note job waited right behind this note when it was claimed, so that {@code POST /v1/leases/{id}/extend}
 * would take some along; false (always for an agent job): nothing to take, the worker skips the request; null when
 * unknown (a group-commit member, a coordinator that does not send it: ask).
 */
public record Assignment(Lease lease, Job job, KbConfig kb, Long previousFencingToken, Boolean notesBehind) {
    public Assignment(Lease lease, Job job, KbConfig kb) {
        this(lease, job, kb, null);
    }

    public Assignment(Lease lease, Job job, KbConfig kb, Long previousFencingToken) {
        this(lease, job, kb, previousFencingToken, null);
    }

    public JsonObject toJson() {
        JsonObject json = new JsonObject()
                .put("lease", lease.toJson())
                .put("job", job.toJson())
                .put("kb", kb.toJson());
        if (previousFencingToken != null) {
            json.put("previousFencingToken", previousFencingToken);
        }
        if (notesBehind != null) {
            json.put("notesBehind", notesBehind);
        }
        return json;
    }

    public static Assignment fromJson(JsonObject json) {
        return new Assignment(
                Lease.fromJson(json.getJsonObject("lease")),
                Job.fromJson(json.getJsonObject("job")),
                KbConfig.fromJson(json.getJsonObject("kb")),
                json.getLong("previousFencingToken"),
                json.getBoolean("notesBehind"));
    }
}
