package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Objects;

/** A raw lease to request ({@code POST /v1/kbs/{kb}/leases}): the holder's name and a TTL (null: the default). */
public record LeaseRequest(String holder, Duration ttl) {
    public LeaseRequest {
        Objects.requireNonNull(holder, "holder");
    }

    public static LeaseRequest of(String holder) {
        return new LeaseRequest(holder, null);
    }

    public LeaseRequest withTtl(Duration ttl) {
        return new LeaseRequest(holder, ttl);
    }

    public JsonObject toJson() {
        JsonObject body = new JsonObject().put("holder", holder);
        if (ttl != null) {
            body.put("ttlMs", ttl.toMillis());
        }
        return body;
    }
}
