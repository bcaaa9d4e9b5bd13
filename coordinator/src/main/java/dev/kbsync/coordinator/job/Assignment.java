package dev.kbsync.coordinator.job;

import dev.kbsync.coordinator.kb.KbConfig;
import dev.kbsync.coordinator.lease.Lease;
import dev.kbsync.kb.Job;
import io.vertx.core.json.JsonObject;

/** What a worker receives from a poll: a granted lease, the job to run under it, and where the KB lives. */
public record Assignment(Lease lease, Job job, KbConfig kb) {
    public JsonObject toJson() {
        return new JsonObject()
                .put("lease", lease.toJson())
                .put("job", job.toJson())
                .put("kb", kb.toJson());
    }
}
