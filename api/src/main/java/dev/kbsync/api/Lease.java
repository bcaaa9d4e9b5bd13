package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;

/**
 * A request for, or grant of, a KB's lock. {@code ahead} counts operations granted before this one (0 once granted);
 * {@code fencingToken} is set once granted and strictly increases per KB; {@code jobId} is set for job leases.
 * {@code expiresAt} is when a grant lapses unless heartbeaten; {@code deadlineAt} is its hard end (the maximum hold),
 * which no heartbeat pushes out: a holder must have stopped writing by then.
 */
public record Lease(
        String id,
        KbId kb,
        String holder,
        LeaseState state,
        long ahead,
        Long fencingToken,
        String jobId,
        Instant grantedAt,
        Instant expiresAt,
        Instant deadlineAt,
        long ttlMs) {

    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("kb", kb.value())
                .put("holder", holder)
                .put("state", state.wire())
                .put("ahead", ahead)
                .put("fencingToken", fencingToken)
                .put("jobId", jobId)
                .put("grantedAt", Json.text(grantedAt))
                .put("expiresAt", Json.text(expiresAt))
                .put("deadlineAt", Json.text(deadlineAt))
                .put("ttlMs", ttlMs);
    }

    /** The time to live as a duration. */
    public Duration ttl() {
        return Duration.ofMillis(ttlMs);
    }

    public static Lease fromJson(JsonObject json) {
        return new Lease(
                json.getString("id"),
                KbId.of(json.getString("kb")),
                json.getString("holder"),
                LeaseState.fromWire(json.getString("state")),
                json.getLong("ahead", 0L),
                json.getLong("fencingToken"),
                json.getString("jobId"),
                Json.instant(json.getString("grantedAt")),
                Json.instant(json.getString("expiresAt")),
                Json.instant(json.getString("deadlineAt")),
                json.getLong("ttlMs", 0L));
    }
}
