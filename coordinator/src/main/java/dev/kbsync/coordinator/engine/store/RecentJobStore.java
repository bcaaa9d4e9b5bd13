package dev.kbsync.coordinator.engine.store;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.coordinator.engine.redis.KbKeys;
import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.redisson.api.BatchOptions;
import org.redisson.api.RBatch;
import org.redisson.client.codec.StringCodec;

/**
 * A KB's recently finished jobs, for the dashboard: {@code kbsync:{kb:<id>}:recent} (LIST, the last {@link #RECENT}
 * jobs of any outcome) and {@code kbsync:{kb:<id>}:failures} (LIST, the last {@link #FAILURES} failed ones), newest
 * first, each entry the finished job's JSON as it was when it finished. Both are in the KB's slot and bounded; a job is
 * added once, when its outcome is recorded (one atomic MULTI: push and trim).
 */
public final class RecentJobStore {
    public static final int RECENT = 20;
    public static final int FAILURES = 10;

    private final Redis redis;

    public RecentJobStore(Redis redis) {
        this.redis = redis;
    }

    /** Adds a job that just finished (done or failed). */
    public Future<Void> add(Job job) {
        KbKeys keys = new KbKeys(job.kb());
        String json = job.toJson().encode();
        RBatch batch = redis.client()
                .createBatch(BatchOptions.defaults().executionMode(BatchOptions.ExecutionMode.IN_MEMORY_ATOMIC));
        push(batch, keys.prefix() + "recent", json, RECENT);
        if (job.state() == JobState.FAILED) {
            push(batch, keys.prefix() + "failures", json, FAILURES);
        }
        return redis.on(batch.executeAsync()).mapEmpty();
    }

    /** The KB's recent jobs and failures, newest first. */
    public Future<RecentJobs> read(KbId kb) {
        KbKeys keys = new KbKeys(kb);
        RBatch batch = redis.client().createBatch(BatchOptions.defaults());
        batch.<String>getList(keys.prefix() + "recent", StringCodec.INSTANCE).readAllAsync();
        batch.<String>getList(keys.prefix() + "failures", StringCodec.INSTANCE).readAllAsync();
        return redis.on(batch.executeAsync())
                .map(done -> new RecentJobs(
                        kb,
                        jobs(done.getResponses().get(0)),
                        jobs(done.getResponses().get(1))));
    }

    private static void push(RBatch batch, String key, String json, int keep) {
        batch.<String>getDeque(key, StringCodec.INSTANCE).addFirstAsync(json);
        batch.<String>getList(key, StringCodec.INSTANCE).trimAsync(0, keep - 1);
    }

    private static List<Job> jobs(Object entries) {
        return ((List<?>) entries)
                .stream()
                        .map(e -> Job.fromJson(new JsonObject(String.valueOf(e))))
                        .toList();
    }
}
