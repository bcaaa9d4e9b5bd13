package dev.kbsync.api;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * A worker as the coordinator sees it ({@code GET /v1/workers}): its last presence report, when that came
 * ({@code lastSeen}, coordinator time) and until when it counts as up without another ({@code expiresAt}, one lease TTL
 * later). {@code state} is {@code up} until then and {@code gone} after; a gone worker is forgotten later.
 */
public record Worker(String id, State state, Instant lastSeen, Instant expiresAt, WorkerPresence presence) {
    public enum State {
        UP,
        GONE;

        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static State fromWire(String value) {
            return "gone".equals(value) ? GONE : UP;
        }
    }

    /** The same worker with only what it does on the KBs {@code visible} accepts (a KB-scoped caller's view). */
    public Worker onlyKbs(Predicate<KbId> visible) {
        return new Worker(id, state, lastSeen, expiresAt, presence.onlyKbs(visible));
    }

    /** The presence fields flattened next to {@code id, state, lastSeen, expiresAt}. */
    public JsonObject toJson() {
        return new JsonObject()
                .put("id", id)
                .put("state", state.wire())
                .put("lastSeen", Json.text(lastSeen))
                .put("expiresAt", Json.text(expiresAt))
                .mergeIn(presence.toJson());
    }

    public static Worker fromJson(JsonObject json) {
        return new Worker(
                json.getString("id"),
                State.fromWire(json.getString("state")),
                Json.instant(json.getString("lastSeen")),
                Json.instant(json.getString("expiresAt")),
                WorkerPresence.fromJson(json));
    }
}
