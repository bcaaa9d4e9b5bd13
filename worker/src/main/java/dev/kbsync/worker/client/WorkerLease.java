package dev.kbsync.worker.client;

import dev.kbsync.kb.KbId;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/** The worker's view of a granted KB lease: its id, fencing token and time to live. */
public record WorkerLease(String id, KbId kb, long fencingToken, Duration ttl) {
    public WorkerLease {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kb, "kb");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("lease ttl must be positive, got " + ttl);
        }
    }

    /** Parses the coordinator's Lease JSON; only the fields the worker needs. */
    public static WorkerLease fromJson(JsonObject json) {
        Long token = json.getLong("fencingToken");
        if (token == null) {
            throw new IllegalArgumentException("lease " + json.getString("id") + " carries no fencing token");
        }
        return new WorkerLease(
                json.getString("id"),
                KbId.of(json.getString("kb")),
                token,
                Duration.ofMillis(json.getLong("ttlMs", 30_000L)));
    }
}
