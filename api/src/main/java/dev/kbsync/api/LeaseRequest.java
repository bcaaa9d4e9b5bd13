package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/**
 * A raw lease to request ({@code POST /v1/kbs/{kb}/leases}): the holder's name, a TTL (null: the default), and how
 * long the request may wait for the grant before it is answered (zero: answered at once, granted or waiting).
 */
public record LeaseRequest(String holder, Duration ttl, Duration maxWait) {
    public LeaseRequest {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative: " + maxWait);
        }
    }

    /** A request answered at once. */
    public LeaseRequest(String holder, Duration ttl) {
        this(holder, ttl, Duration.ZERO);
    }

    public static LeaseRequest of(String holder) {
        return new LeaseRequest(holder, null);
    }

    public LeaseRequest withTtl(Duration ttl) {
        return new LeaseRequest(holder, ttl, maxWait);
    }

    /**
     * Waits up to {@code wait} (the coordinator caps it at 30 s) for the grant: one request instead of a request and
     * an event stream; the lease comes back granted, or still waiting once the wait is over.
     */
    public LeaseRequest withWait(Duration wait) {
        return new LeaseRequest(holder, ttl, wait);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("holder", holder);
        if (ttl != null) {
            body.put("ttlMs", ttl.toMillis());
        }
        if (!maxWait.isZero()) {
            body.put("waitMs", maxWait.toMillis());
        }
        return body;
    }
}
