package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.RecentJobs;
import dev.kbsync.coordinator.engine.eta.Eta;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Batch;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Beat;
import dev.kbsync.coordinator.engine.ticket.Outcomes.CancelReport;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancellation;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancelled;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Claim;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ClaimResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Completed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.DriverStatus;
import dev.kbsync.coordinator.engine.ticket.Outcomes.EndReason;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Enqueued;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Gone;
import dev.kbsync.coordinator.engine.ticket.Outcomes.GrantResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Granted;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Head;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Heartbeat;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Held;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Idle;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Kept;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Lapsed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ListSlice;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Listed;
import dev.kbsync.coordinator.engine.ticket.Outcomes.LockBusy;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotHead;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotRequester;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NothingToClaim;
import dev.kbsync.coordinator.engine.ticket.Outcomes.OtherKind;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ready;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Report;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Sweep;
import dev.kbsync.coordinator.service.JobCursor;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one place where the scripts' JSON replies become typed records: tickets, grants, ended grants, views, jobs and
 * leases. (Lua's cjson writes an empty array as {@code {}}; {@link #list} reads both.)
 */
public final class Replies {
    private Replies() {}

    static Enqueued enqueued(String ticket, JsonObject r) {
        Ticket t = Records.ticket(ticket, r.getJsonObject("t"));
        Job job = r.getString("job") == null
                ? null
                : Records.job(
                        r.getString("job"),
                        t,
                        r.getLong("rank"),
                        Estimates.fromScript(t, r.getLong("rank"), r.getJsonObject("eta")));
        return new Enqueued(r.getLong("rank"), t, job, next(r.getJsonObject("next")), Records.strings(r, "dropped"));
    }

    static Optional<Head> head(JsonObject r) {
        return r.getString("ticket") == null
                ? Optional.empty()
                : Optional.of(new Head(r.getString("ticket"), r.getLong("thread"), r.getBoolean("granted")));
    }

    static GrantResult grantResult(JsonObject r) {
        return switch (r.getString("result")) {
            case "granted", "busy" -> next(r.getJsonObject("next"));
            case "held" -> new Held();
            case "not-head" -> new NotHead();
            default -> new Idle();
        };
    }

    /** claim.lua's reply: a claim, a job of another kind than the worker runs, a lapsed grant, or nothing to claim. */
    static ClaimResult claimResult(KbId kb, JsonObject r) {
        if (r.getString("other") != null) {
            return new OtherKind(ready(r.getString("other"), r));
        }
        if (r.getString("lapsed") != null) {
            return new Lapsed(ready(r.getString("lapsed"), r));
        }
        return claim(kb, r).<ClaimResult>map(c -> c).orElseGet(NothingToClaim::new);
    }

    /** A reply's job of type {@code type} waiting since its {@code ready} (Redis ms). */
    static Ready ready(String type, JsonObject r) {
        return new Ready(JobKind.fromWire(type), r.getLong("ready", 0L));
    }

    /** unclaim.lua's reply: the job given back, as it waits for a worker again; empty if nothing was unclaimed. */
    static Optional<Ready> unclaimed(JsonObject r) {
        return r.getBoolean("unclaimed", false) ? Optional.of(ready(r.getString("ty", "note"), r)) : Optional.empty();
    }

    static Optional<Claim> claim(KbId kb, JsonObject r) {
        return r.getString("lease") == null
                ? Optional.empty()
                : Optional.of(claim(kb, r, r.getString("lease"), r.getLong("fence")));
    }

    static Heartbeat heartbeat(String ticket, JsonObject r) {
        String result = r.getString("result");
        return new Heartbeat(
                result.equals("forbidden") ? Beat.NOT_REQUESTER : Beat.valueOf(result.toUpperCase(Locale.ROOT)),
                Records.view(ticket, r.getJsonObject("view")),
                r.getBoolean("told", false));
    }

    static ReleaseResult released(String ticket, JsonObject r) {
        return switch (r.getString("result")) {
            case "ended" -> ended(r.getJsonObject("ended")).orElseThrow();
            case "kept" -> new Kept();
            case "forbidden" -> new NotRequester();
            case "cancelled" -> {
                Ticket t = Records.ticket(ticket, r.getJsonObject("t"));
                yield new Cancelled(
                        t.holder(), t.ttlMs(), next(r.getJsonObject("next")), Records.strings(r, "dropped"));
            }
            default -> new Gone();
        };
    }

    static Completed completed(String ticket, JsonObject r) {
        Report report = Report.valueOf(r.getString("result").toUpperCase(Locale.ROOT));
        Optional<Job> job = r.getJsonObject("t") == null || r.getString("job") == null
                ? Optional.empty()
                : Optional.of(
                        Records.job(r.getString("job"), Records.ticket(ticket, r.getJsonObject("t")), -1, Eta.NONE));
        return new Completed(report, job, ended(r.getJsonObject("ended")));
    }

    static Cancellation cancelled(String ticket, JsonObject r) {
        CancelReport report = CancelReport.valueOf(r.getString("result").toUpperCase(Locale.ROOT));
        Optional<Ticket> t = Optional.ofNullable(r.getJsonObject("t")).map(json -> Records.ticket(ticket, json));
        Optional<Job> job = t.isEmpty() || r.getString("job") == null
                ? Optional.empty()
                : Optional.of(Records.job(r.getString("job"), t.get(), -1, Eta.NONE));
        ReleaseResult released = new Gone();
        if (report == CancelReport.CANCELLED) {
            Optional<Ended> ended = ended(r.getJsonObject("ended"));
            released = ended.isPresent()
                    ? ended.get()
                    : new Cancelled(
                            t.get().holder(),
                            t.get().ttlMs(),
                            next(r.getJsonObject("next")),
                            Records.strings(r, "dropped"));
        }
        return new Cancellation(report, job, released);
    }

    /** list.lua's reply; the running job says what its worker is doing (read in the same script: the KB's grant). */
    static ListSlice listed(KbId kb, JsonObject r) {
        Optional<CurrentGrant> grant = Records.grant(r.getJsonObject("grant"));
        List<Listed> jobs = Records.list(r, "jobs").stream()
                .map(e -> {
                    Ticket t = Records.ticket(e.getString("id"), e.getJsonObject("t"));
                    return new Listed(
                            new JobCursor(e.getLong("ms"), e.getString("id")),
                            Records.job(
                                    e.getString("job"),
                                    t,
                                    e.getLong("rank", -1L),
                                    Eta.NONE,
                                    grant.map(g -> g.doingFor(t)).orElse(null)));
                })
                .toList();
        JsonObject cut = r.getJsonObject("cut");
        return new ListSlice(
                jobs,
                r.getBoolean("full", false),
                cut == null ? Optional.empty() : Optional.of(new JobCursor(cut.getLong("ms"), cut.getString("id"))));
    }

    /** recent.lua's reply: the KB's recently finished jobs and failures, as they finished. */
    static RecentJobs recent(KbId kb, JsonObject r) {
        return new RecentJobs(kb, finished(r, "jobs"), finished(r, "failures"));
    }

    private static List<Job> finished(JsonObject r, String field) {
        return Records.list(r, field).stream()
                .map(e -> Records.job(
                        e.getString("job"), Records.ticket(e.getString("id"), e.getJsonObject("t")), -1, Eta.NONE))
                .toList();
    }

    /** extend's reply: each member's own lease (id and token on its ticket) under the head's grant times. */
    static Optional<Batch> batch(KbId kb, JsonObject r) {
        if (!"ok".equals(r.getString("result"))) {
            return Optional.empty();
        }
        List<Claim> members = new ArrayList<>();
        for (JsonObject m : Records.list(r, "members")) {
            JsonObject t = m.getJsonObject("t");
            JsonObject member = m.copy()
                    .put("granted", t.getLong("st", r.getLong("now")))
                    .put("expires", r.getLong("expires"))
                    .put("deadline", r.getLong("deadline"))
                    .put("ttl", r.getLong("ttl"));
            members.add(claim(kb, member, t.getString("l"), t.getLong("f")));
        }
        return Optional.of(new Batch(members, r));
    }

    static Sweep sweep(JsonObject r) {
        return new Sweep(
                DriverStatus.valueOf(r.getString("driver").toUpperCase(Locale.ROOT)),
                r.getInteger("queue"),
                Records.strings(r, "dropped"),
                ended(r.getJsonObject("ended")),
                next(r.getJsonObject("next")),
                ended(r.getJsonObject("stranded")),
                r.getLong("fence", 0L),
                r.getInteger("purged", 0),
                r.getValue("unclaimed") instanceof String type ? Optional.of(ready(type, r)) : Optional.empty(),
                r.getBoolean("granted", false),
                restFor(r));
    }

    /**
     * How long a resting KB (quiet, or held by a grant) has nothing to do by itself: at most {@code Sweep#QUIET_MAX} when
     * quiet, {@code Sweep#BUSY_MAX} when held; empty when it needs the next pass.
     */
    private static Optional<Duration> restFor(JsonObject r) {
        Long wake = r.getLong("wake");
        if (wake != null) {
            Duration cap = r.getBoolean("quiet", false) ? Sweep.QUIET_MAX : Sweep.BUSY_MAX;
            return Optional.of(Duration.ofMillis(Math.min(wake, cap.toMillis())));
        }
        return r.getBoolean("quiet", false) ? Optional.of(Sweep.QUIET_MAX) : Optional.empty();
    }

    /**
     * job.lua's reply: the job at its place in the queue (while it runs, with what its worker last said it is doing)
     * and who submitted it, or empty.
     */
    static Optional<OwnedJob> storedJob(String ticket, JsonObject r) {
        return Records.view(ticket, r.getJsonObject("view"))
                .map(v -> new OwnedJob(
                        Records.job(
                                r.getString("job"),
                                v.ticket(),
                                v.rank(),
                                Estimates.fromScript(v.ticket(), v.rank(), r.getJsonObject("eta")),
                                v.doing()),
                        v.ticket().submitter()));
    }

    /** grantHead's reply: a grant, {busy}, or nothing. */
    static GrantResult next(JsonObject g) {
        if (g == null) {
            return new Idle();
        }
        if (g.getBoolean("busy", false)) {
            return new LockBusy();
        }
        return new Granted(
                g.getString("ticket"),
                g.getString("lease"),
                g.getLong("fence"),
                TicketKind.fromWire(g.getString("kind")),
                JobKind.fromWire(g.getString("ty", "note")),
                g.getString("holder"),
                g.getLong("created"),
                g.getLong("granted"),
                g.getLong("expires"),
                g.getLong("deadline"),
                g.getLong("ttl"),
                g.getString("affinity"),
                g.getLong("ready", g.getLong("granted")));
    }

    static Optional<Ended> ended(JsonObject e) {
        if (e == null) {
            return Optional.empty();
        }
        return Optional.of(new Ended(
                e.getString("lease"),
                e.getString("ticket"),
                e.getLong("fence"),
                e.getLong("held"),
                EndReason.valueOf(e.getString("reason").toUpperCase(Locale.ROOT)),
                TicketKind.fromWire(e.getString("kind")),
                e.getString("holder"),
                e.getLong("ttl"),
                Records.strings(e, "failed"),
                Records.strings(e, "requeued"),
                next(e.getJsonObject("next")),
                Records.strings(e, "dropped"),
                e.getString("worker")));
    }

    /** claim's reply, or a group-commit member's: the job running under its own lease. */
    static Claim claim(KbId kb, JsonObject r, String leaseId, long fence) {
        Ticket t = Records.ticket(r.getString("ticket"), r.getJsonObject("t"));
        Job job = Records.job(r.getString("job"), t, 0, Eta.NONE);
        Lease lease = new Lease(
                leaseId,
                kb,
                t.worker(),
                LeaseState.GRANTED,
                0,
                fence,
                job.id(),
                Instant.ofEpochMilli(r.getLong("granted", r.getLong("now"))),
                Instant.ofEpochMilli(r.getLong("expires")),
                Instant.ofEpochMilli(r.getLong("deadline")),
                r.getLong("ttl"));
        return new Claim(lease, job, r.getLong("prev"), r.getBoolean("notes"));
    }
}
