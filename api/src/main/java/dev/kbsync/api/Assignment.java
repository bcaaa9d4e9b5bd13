package dev.kbsync.api;

import io.vertx.core.json.JsonObject;

/** What a worker receives from a poll: a granted lease, the job to run under it, and where the KB lives. */
public record Assignment(Lease lease, Job job, KbConfig kb) {
    public JsonObject toJson() {
        return new JsonObject()
                .put("lease", lease.toJson())
                .put("job", job.toJson())
                .put("kb", kb.toJson());
    }

    public static Assignment fromJson(JsonObject json) {
        return new Assignment(
                Lease.fromJson(json.getJsonObject("lease")),
                Job.fromJson(json.getJsonObject("job")),
                KbConfig.fromJson(json.getJsonObject("kb")));
    }
}
