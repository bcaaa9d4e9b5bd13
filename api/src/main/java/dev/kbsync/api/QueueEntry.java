package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/** One ticket in a KB's queue: a job or a raw lease, who it is for, since when it waits or holds. */
public record QueueEntry(
        String ticketId, String kind, String holder, String jobId, Instant since, long waitedMs, Long fencingToken) {
    public JsonObject toJson() {
        return new JsonObject()
                .put("ticketId", ticketId)
                .put("kind", kind)
                .put("holder", holder)
                .put("jobId", jobId)
                .put("since", Json.text(since))
                .put("waitedMs", waitedMs)
                .put("fencingToken", fencingToken);
    }

    public static QueueEntry fromJson(JsonObject json) {
        return new QueueEntry(
                json.getString("ticketId"),
                json.getString("kind"),
                json.getString("holder"),
                json.getString("jobId"),
                Json.instant(json.getString("since")),
                json.getLong("waitedMs", 0L),
                json.getLong("fencingToken"));
    }
}
