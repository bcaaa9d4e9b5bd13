package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/** One page of the job list, newest first; {@code nextCursor} asks for the next one (null: this was the last). */
public record JobPage(List<Job> jobs, String nextCursor) {
    public JobPage {
        jobs = List.copyOf(jobs);
    }

    public JsonObject toJson() {
        JsonArray array = new JsonArray();
        jobs.forEach(j -> array.add(j.toJson()));
        return new JsonObject().put("jobs", array).put("nextCursor", nextCursor);
    }

    public static JobPage fromJson(JsonObject json) {
        return new JobPage(Json.list(Json.required(json, "jobs"), Job::fromJson), json.getString("nextCursor"));
    }
}
