package dev.kbsync.coordinator.engine.store;

import dev.kbsync.coordinator.engine.redis.Redis;
import io.vertx.core.Future;
import java.time.Duration;
import org.redisson.api.RBucket;
import org.redisson.client.codec.StringCodec;

/**
 * Idempotency keys per (user, key): {@code kbsync:idem:{<user>}:<key>} -> the first job id, kept for the job
 * retention (as long as the job itself, at most); the KBs' duplicate checks (content hash -> first job id, for the
 * KB's window).
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
        return claim("kbsync:idem:{" + user + "}:" + key, jobId, keep);
    }

    /**
     * The KB's duplicate check: {@code kbsync:dedupe:{kb:<id>}:<content hash>} -> the first job id for {@code window}.
     * Returns {@code jobId} if no job with that content came within the window, else the first one's id.
     */
    public Future<String> claimContent(String kb, String contentHash, String jobId, Duration window) {
        return claim("kbsync:dedupe:{kb:" + kb + "}:" + contentHash, jobId, window);
    }

    private Future<String> claim(String name, String jobId, Duration ttl) {
        RBucket<String> bucket = redis.client().getBucket(name, StringCodec.INSTANCE);
        return redis.on(bucket.setIfAbsentAsync(jobId, ttl))
                .compose(fresh -> fresh ? Future.succeededFuture(jobId) : redis.on(bucket.getAsync()));
    }
}
