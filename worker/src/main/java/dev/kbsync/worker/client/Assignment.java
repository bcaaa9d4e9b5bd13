package dev.kbsync.worker.client;

import dev.kbsync.kb.Job;
import io.vertx.core.json.JsonObject;

/** One poll's answer: the granted lease, the job to run under it and the KB's remote. */
public record Assignment(WorkerLease lease, Job job, KbRemote kb) {
    public static Assignment fromJson(JsonObject json) {
        return new Assignment(
                WorkerLease.fromJson(json.getJsonObject("lease")),
                Job.fromJson(json.getJsonObject("job")),
                KbRemote.fromJson(json.getJsonObject("kb")));
    }
}
