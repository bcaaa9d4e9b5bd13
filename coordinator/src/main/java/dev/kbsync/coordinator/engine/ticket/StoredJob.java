package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobPayload;
import dev.kbsync.api.KbId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's submitted record in its KB's {@code jobs} hash, in the compact form {@code {i: id, p: payload (no nulls),
 * c: created (µs since the epoch)}}, with {@code r: the id of the job it retries} for a retry and {@code rc: the rest of
 * its retry chain} (see {@link Job#retryChain()}) when that one was a retry too: its user, kind and state live on its ticket, so the record repeats none of them.
 * Records written before the compact form (the whole queued job as JSON, with an {@code id} field) still read.
 */
final class StoredJob {
    private StoredJob() {}

    /** The stored form of a new job (its creation time to the µs: a submit answers with the job as stored). */
    static String encode(Job job) {
        JsonObject payload = job.payload().toJson();
        payload.getMap().values().removeIf(v -> v == null);
        JsonObject stored = new JsonObject()
                .put("i", job.id())
                .put("p", payload)
                .put("c", ChronoUnit.MICROS.between(Instant.EPOCH, job.createdAt()));
        if (job.retryOf() != null) {
            stored.put("r", job.retryOf());
        }
        if (job.retryChain().size() > 1) {
            stored.put(
                    "rc",
                    new JsonArray(job.retryChain().subList(1, job.retryChain().size())));
        }
        return stored.encode();
    }

    /** The submitted job of a stored record, with its user and kind from its ticket {@code t}. */
    static Job decode(String stored, Ticket t) {
        JsonObject json = new JsonObject(stored);
        if (json.containsKey("id")) {
            return Job.fromJson(json);
        }
        String id = json.getString("i");
        JobKind kind = t.type();
        return Job.queued(
                        id,
                        KbId.of(id.substring(0, id.indexOf('~'))),
                        t.holder(),
                        JobPayload.fromJson(kind, json.getJsonObject("p")),
                        Instant.EPOCH.plus(json.getLong("c"), ChronoUnit.MICROS))
                .retrying(chain(json));
    }

    /** A stored retry's chain: {@code r}, then {@code rc} (absent in records stored before it). */
    private static List<String> chain(JsonObject json) {
        String retryOf = json.getString("r");
        if (retryOf == null) {
            return List.of();
        }
        List<String> chain = new ArrayList<>(List.of(retryOf));
        JsonArray rest = json.getJsonArray("rc");
        if (rest != null) {
            rest.forEach(id -> chain.add(String.valueOf(id)));
        }
        return chain;
    }
}
