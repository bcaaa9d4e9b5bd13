package dev.kbsync.coordinator.engine.store;

import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import java.time.Duration;
import org.redisson.api.RBucket;
import org.redisson.client.codec.StringCodec;

/**
 * Idempotency keys per (user, key): {@code kbsync:idem:{<user>}:<key>} -> the first job id, kept for the job
 * retention (as long as the job itself, at most).
 */
public final class Idempotency {
    private final Redis redis;
    private final Duration keep;

    public Idempotency(Redis redis, Duration keep) {
        this.redis = redis;
        this.keep = keep;
    }

    /** Returns {@code jobId} if the key was free, else the job id it already names. */
    public Future<String> claim(String user, String key, String jobId) {
        RBucket<String> bucket = redis.client().getBucket("kbsync:idem:{" + user + "}:" + key, StringCodec.INSTANCE);
        return redis.on(bucket.setIfAbsentAsync(jobId, keep))
                .compose(fresh -> fresh ? Future.succeededFuture(jobId) : redis.on(bucket.getAsync()));
    }
}
