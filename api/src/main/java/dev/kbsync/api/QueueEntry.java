package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;

/**
 * One ticket in a KB's queue: a job or a raw lease, who it is for, since when it waits or holds; a waiter's estimated
 * wait ({@code etaMs}, {@code etaP90Ms}: as on the job, see {@link Job}; null for the holder and running jobs) and the
 * time it counts from ({@code etaFrom}, the last change of the waiter's place: what is left of it at a later time
 * {@code t} is {@code etaMs - (t - etaFrom)}; null with the estimate).
 */
public record QueueEntry(
        String ticketId,
        String kind,
        String holder,
        String jobId,
        Instant since,
        long waitedMs,
        Long fencingToken,
        Long etaMs,
        Long etaP90Ms,
        Instant etaFrom) {
    /** An entry that waits for nothing (the holder, a running job). */
    public QueueEntry(
            String ticketId,
            String kind,
            String holder,
            String jobId,
            Instant since,
            long waitedMs,
            Long fencingToken) {
        this(ticketId, kind, holder, jobId, since, waitedMs, fencingToken, null, null, null);
    }

    /** The same entry, waiting with this estimate, counted from {@code from}. */
    public QueueEntry waiting(long newEtaMs, long newEtaP90Ms, Instant from) {
        return new QueueEntry(
                ticketId, kind, holder, jobId, since, waitedMs, fencingToken, newEtaMs, newEtaP90Ms, from);
    }

    public JsonObject toJson() {
        return new JsonObject()
                .put("ticketId", ticketId)
                .put("kind", kind)
                .put("holder", holder)
                .put("jobId", jobId)
                .put("since", Json.text(since))
                .put("waitedMs", waitedMs)
                .put("fencingToken", fencingToken)
                .put("etaMs", etaMs)
                .put("etaP90Ms", etaP90Ms)
                .put("etaFrom", Json.text(etaFrom));
    }

    public static QueueEntry fromJson(JsonObject json) {
        return new QueueEntry(
                json.getString("ticketId"),
                json.getString("kind"),
                json.getString("holder"),
                json.getString("jobId"),
                Json.instant(json.getString("since")),
                json.getLong("waitedMs", 0L),
                json.getLong("fencingToken"),
                json.getLong("etaMs"),
                json.getLong("etaP90Ms"),
                Json.instant(json.getString("etaFrom")));
    }
}
