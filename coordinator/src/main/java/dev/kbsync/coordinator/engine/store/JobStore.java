package dev.kbsync.coordinator.engine.store;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobOutcome;
import dev.kbsync.api.JobState;
import dev.kbsync.coordinator.engine.redis.Redis;
import dev.kbsync.coordinator.engine.redis.Script;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.redisson.api.RMap;
import org.redisson.client.codec.StringCodec;

/**
 * Jobs in Redis: {@code kbsync:job:{<id>}} is a hash with the submitted job as JSON ({@code job}) and the fields that
 * change over its life ({@code state, attempts, fencingToken, lease, commit, commitUrl, files, error, startedAt,
 * finishedAt}).
 */
public final class JobStore {
    private static final String[] LONGS = {"attempts", "fencingToken"};
    private static final String[] TEXTS = {"state", "commit", "commitUrl", "startedAt", "finishedAt"};

    private final Redis redis;

    public JobStore(Redis redis) {
        this.redis = redis;
    }

    /** A stored job and the lease id of its latest dispatch (null before the first). */
    public record Stored(Job job, String leaseId) {}

    public static String key(String jobId) {
        return "kbsync:job:{" + jobId + "}";
    }

    public Future<Void> create(Job job) {
        return redis.on(map(job.id())
                .putAllAsync(Map.of(
                        "job", job.toJson().encode(), "state", job.state().wire(), "attempts", "0")));
    }

    public Future<Optional<Stored>> load(String jobId) {
        return redis.on(map(jobId).readAllMapAsync()).map(JobStore::parse);
    }

    public Future<Void> delete(String jobId) {
        return redis.on(map(jobId).deleteAsync()).mapEmpty();
    }

    public Future<Void> running(String jobId, String leaseId, long fence, int attempts, long startedAtMs) {
        return put(
                jobId,
                Map.of(
                        "state", JobState.RUNNING.wire(),
                        "lease", leaseId,
                        "fencingToken", Long.toString(fence),
                        "attempts", Integer.toString(attempts),
                        "startedAt", Instant.ofEpochMilli(startedAtMs).toString()));
    }

    public Future<Void> finished(String jobId, JobOutcome outcome, Instant at) {
        Map<String, String> fields = new HashMap<>();
        fields.put("finishedAt", at.toString());
        if (outcome instanceof JobOutcome.Done done) {
            JsonArray files = new JsonArray();
            done.files().forEach(f -> files.add(f.toJson()));
            fields.put("state", JobState.DONE.wire());
            fields.put("commit", done.commit() == null ? "" : done.commit());
            fields.put("commitUrl", done.commitUrl() == null ? "" : done.commitUrl());
            fields.put("files", files.encode());
        } else if (outcome instanceof JobOutcome.Failed failed) {
            fields.put("state", JobState.FAILED.wire());
            fields.put("error", failed.error().toJson().encode());
        }
        return put(jobId, fields);
    }

    /** Back to queued after a lost grant, unless the job already finished. */
    public Future<Void> requeue(String jobId) {
        return redis.runOn(Script.JOB_REQUEUE, key(jobId)).mapEmpty();
    }

    /** The job as clients see it at a queue position. */
    public static Job at(Job job, JobState state, long ahead, long etaMs) {
        return new Job(
                job.id(),
                job.kb(),
                job.user(),
                job.payload(),
                state,
                ahead,
                etaMs,
                job.fencingToken(),
                job.commit(),
                job.commitUrl(),
                job.files(),
                job.error(),
                job.attempts(),
                job.createdAt(),
                job.startedAt(),
                job.finishedAt());
    }

    private Future<Void> put(String jobId, Map<String, String> fields) {
        return redis.on(map(jobId).putAllAsync(fields));
    }

    private RMap<String, String> map(String jobId) {
        return redis.client().getMap(key(jobId), StringCodec.INSTANCE);
    }

    private static Optional<Stored> parse(Map<String, String> hash) {
        String base = hash.get("job");
        if (base == null) {
            return Optional.empty();
        }
        JsonObject json = new JsonObject(base);
        for (String field : TEXTS) {
            copy(hash, field, json);
        }
        for (String field : LONGS) {
            if (hash.get(field) != null) {
                json.put(field, Long.parseLong(hash.get(field)));
            }
        }
        if (hash.get("files") != null) {
            json.put("files", new JsonArray(hash.get("files")));
        }
        if (hash.get("error") != null) {
            json.put("error", new JsonObject(hash.get("error")));
        }
        for (String empty : new String[] {"commit", "commitUrl"}) {
            if ("".equals(json.getString(empty))) {
                json.putNull(empty);
            }
        }
        return Optional.of(new Stored(Job.fromJson(json), hash.get("lease")));
    }

    private static void copy(Map<String, String> hash, String field, JsonObject json) {
        if (hash.get(field) != null) {
            json.put(field, hash.get(field));
        }
    }
}
