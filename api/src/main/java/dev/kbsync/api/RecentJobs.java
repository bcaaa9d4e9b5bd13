package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * A KB's recently finished jobs, newest first ({@code GET /v1/kbs/{kb}/recent-jobs}): the last ones of any outcome
 * ({@code jobs}) and, kept apart so a burst of successes does not push them out, the last failures ({@code failures}).
 */
public record RecentJobs(KbId kb, List<Job> jobs, List<Job> failures) {
    /** How many finished jobs and how many failures a KB keeps (the coordinator's lists are bounded to these). */
    public static final int MAX_JOBS = 20;

    public static final int MAX_FAILURES = 10;

    public RecentJobs {
        jobs = List.copyOf(jobs);
        failures = List.copyOf(failures);
    }

    public JsonObject toJson() {
        JsonArray all = new JsonArray();
        jobs.forEach(j -> all.add(j.toJson()));
        JsonArray failed = new JsonArray();
        failures.forEach(j -> failed.add(j.toJson()));
        return new JsonObject().put("kb", kb.value()).put("jobs", all).put("failures", failed);
    }

    public static RecentJobs fromJson(JsonObject json) {
        return new RecentJobs(
                KbId.of(json.getString("kb")),
                Json.list(json.getJsonArray("jobs"), Job::fromJson),
                Json.list(json.getJsonArray("failures"), Job::fromJson));
    }
}
