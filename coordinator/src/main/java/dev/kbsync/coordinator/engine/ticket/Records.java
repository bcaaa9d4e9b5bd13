package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbId;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.eta.Eta;
import dev.kbsync.coordinator.engine.eta.HoldStats;
import dev.kbsync.coordinator.engine.redis.Times;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * With {@link Replies}, the one place where script replies become typed records: here the stored records the replies
 * carry (tickets, the KB's grant, queue views, jobs). Lua's cjson writes an empty array as {@code {}};
 * {@link #list} and {@link #strings} read both.
 */
final class Records {
    private Records() {}

    static Ticket ticket(String id, JsonObject t) {
        return new Ticket(
                id,
                TicketKind.fromWire(t.getString("k")),
                t.getString("h"),
                t.getLong("c", 0L),
                t.getLong("ttl", 0L),
                t.getLong("th", 0L),
                LeaseState.fromWire(t.getString("s")),
                t.getLong("f"),
                t.getInteger("a", 0),
                t.getString("ty") == null ? null : JobKind.fromWire(t.getString("ty")),
                t.getString("b"),
                t.getString("l"),
                t.getString("js") == null ? null : JobState.fromWire(t.getString("js")),
                t.getLong("ff"),
                t.getLong("st"),
                t.getLong("fin"),
                t.getString("cm"),
                t.getString("cu"),
                t.getString("fl"),
                t.getString("er"),
                t.getString("w"),
                t.getString("rs"),
                t.getString("tk", ""),
                t.getString("cb", ""),
                strings(t, "ra"));
    }

    static Optional<CurrentGrant> grant(JsonObject g) {
        if (g == null || g.getString("ticket") == null) {
            return Optional.empty();
        }
        return Optional.of(new CurrentGrant(
                g.getString("ticket"),
                g.getString("lease"),
                g.getLong("fence"),
                g.getLong("granted"),
                g.getLong("expires"),
                g.getLong("deadline"),
                g.getLong("ttl"),
                g.getBoolean("claimed", false),
                g.getString("worker"),
                strings(g, "members"),
                g.getBoolean("done", false),
                g.getString("doing")));
    }

    /** ticketView's reply (lib.lua), or empty for an unknown ticket. */
    static Optional<TicketView> view(String ticket, JsonObject v) {
        if (v == null || v.getJsonObject("t") == null) {
            return Optional.empty();
        }
        return Optional.of(new TicketView(
                ticket(ticket, v.getJsonObject("t")),
                v.getLong("rank"),
                grant(v.getJsonObject("grant")),
                v.getLong("avg", 0L),
                v.getLong("now")));
    }

    /** view.lua's reply. */
    static KbView kbView(KbId kb, JsonObject r) {
        List<KbView.Row> rows = new ArrayList<>();
        for (JsonObject row : list(r, "rows")) {
            Ticket t = ticket(row.getString("ticket"), row.getJsonObject("t"));
            rows.add(new KbView.Row(
                    t.id(),
                    t.kind(),
                    t.holder(),
                    t.job() ? new JobRef(kb, t.id()).id() : null,
                    t.createdMs(),
                    t.attempts(),
                    t.ttlMs(),
                    Estimates.hold(t)));
        }
        Optional<CurrentGrant> g = grant(r.getJsonObject("grant"));
        return new KbView(
                kb,
                g.map(CurrentGrant::ticket).orElse(""),
                g.map(CurrentGrant::leaseId).orElse(""),
                g.map(CurrentGrant::fence).orElse(null),
                g.map(CurrentGrant::grantedMs).orElse(0L),
                g.map(CurrentGrant::expiresMs).orElse(0L),
                g.map(CurrentGrant::deadlineMs).orElse(0L),
                g.map(CurrentGrant::claimed).orElse(false),
                r.getLong("avg", 0L),
                HoldStats.fromJson(r.getJsonObject("stats")),
                r.getLong("now"),
                Set.copyOf(g.map(CurrentGrant::members).orElse(List.of())),
                rows);
    }

    /** A job from its submitted record and its ticket, at its place in the queue, waiting {@code eta}. */
    static Job job(String submitted, Ticket t, long rank, Eta eta) {
        return job(submitted, t, rank, eta, null);
    }

    /**
     * {@link #job(String, Ticket, long, Eta)} with what its worker said it is doing ({@link CurrentGrant#doingFor}), null
     * if nothing.
     */
    static Job job(String submitted, Ticket t, long rank, Eta eta, String doing) {
        Job base = StoredJob.decode(submitted, t);
        JobState state = t.jobState();
        long ahead = state == JobState.QUEUED ? Math.max(0, rank) : 0;
        return new Job(
                base.id(),
                base.kb(),
                base.user(),
                base.payload(),
                state,
                ahead,
                ahead > 0 ? eta.etaMs() : 0,
                ahead > 0 ? eta.p90Ms() : 0,
                t.attempts() > 0 ? t.fence() : null,
                t.firstFence(),
                t.commit() == null || t.commit().isEmpty() ? null : t.commit(),
                t.commitUrl() == null || t.commitUrl().isEmpty() ? null : t.commitUrl(),
                files(t.files()),
                t.result() == null || t.result().isEmpty() ? null : t.result(),
                t.error() == null ? null : JobError.fromJson(new JsonObject(t.error())),
                t.attempts(),
                base.createdAt(),
                instant(t.startedMs()),
                instant(t.finishedMs()),
                base.retryOf(),
                doing,
                base.retryChain(),
                t.restored().stream()
                        .map(ticket -> new JobRef(base.kb(), ticket).id())
                        .toList());
    }

    /** A JSON array that Lua may have written as {@code {}} when empty. */
    static List<JsonObject> list(JsonObject parent, String field) {
        Object value = parent.getValue(field);
        List<JsonObject> out = new ArrayList<>();
        if (value instanceof JsonArray array) {
            array.forEach(o -> out.add((JsonObject) o));
        }
        return out;
    }

    static List<String> strings(JsonObject parent, String field) {
        Object value = parent.getValue(field);
        List<String> out = new ArrayList<>();
        if (value instanceof JsonArray array) {
            array.forEach(o -> out.add(String.valueOf(o)));
        }
        return out;
    }

    private static List<FileChange> files(String json) {
        if (json == null || json.isEmpty()) {
            return List.of();
        }
        return new JsonArray(json)
                .stream().map(o -> FileChange.fromJson((JsonObject) o)).toList();
    }

    private static Instant instant(Long ms) {
        return ms == null ? null : Times.instant(ms);
    }
}
