package dev.kbsync.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What a worker process reports about itself ({@code PUT /v1/workers/{id}}, or carried by its poll): where it runs,
 * its version, its poll slots ({@code idleSlots} of them are polling for work), the job each busy slot runs, the KB
 * checkouts it keeps (newest first, with the commit each was left at), whether it is draining (stopping: it takes no
 * new jobs) and the kinds of job it runs (a worker without an agent runs note jobs only; a report without them, from an
 * older worker, is taken to run every kind; a stored record from a newer version may name kinds this version leaves
 * out). The coordinator checks every field (docs/api.md, "Workers").
 */
public record WorkerPresence(
        String host,
        String version,
        int slots,
        int idleSlots,
        boolean draining,
        List<RunningJob> running,
        List<Checkout> checkouts,
        Instant startedAt,
        Set<JobKind> kinds) {

    /** Every kind of job: what a worker runs that does not say. */
    public static final Set<JobKind> EVERY_KIND = Collections.unmodifiableSet(EnumSet.allOf(JobKind.class));

    public WorkerPresence {
        running = List.copyOf(running);
        checkouts = List.copyOf(checkouts);
        Set<JobKind> copy = EnumSet.noneOf(JobKind.class);
        copy.addAll(kinds);
        kinds = Collections.unmodifiableSet(copy);
    }

    /** A worker that runs every kind of job (what a report without {@code kinds}, from an older worker, says). */
    public WorkerPresence(
            String host,
            String version,
            int slots,
            int idleSlots,
            boolean draining,
            List<RunningJob> running,
            List<Checkout> checkouts,
            Instant startedAt) {
        this(host, version, slots, idleSlots, draining, running, checkouts, startedAt, EVERY_KIND);
    }

    /** The same report with only the running jobs and checkouts of the KBs {@code visible} accepts. */
    public WorkerPresence onlyKbs(Predicate<KbId> visible) {
        return new WorkerPresence(
                host,
                version,
                slots,
                idleSlots,
                draining,
                running.stream().filter(r -> visible.test(r.kb())).toList(),
                checkouts.stream().filter(c -> visible.test(c.kb())).toList(),
                startedAt,
                kinds);
    }

    /** The job slot {@code slot} (1-based) runs since {@code since} (group-commit members it took along not listed). */
    public record RunningJob(int slot, KbId kb, String jobId, Instant since) {
        public JsonObject toJson() {
            return new JsonObject()
                    .put("slot", slot)
                    .put("kb", kb.value())
                    .put("jobId", jobId)
                    .put("since", Json.text(since));
        }

        public static RunningJob fromJson(JsonObject json) {
            return new RunningJob(
                    json.getInteger("slot", 0),
                    KbId.of(json.getString("kb")),
                    json.getString("jobId"),
                    Json.instant(json.getString("since")));
        }
    }

    /**
     * A KB checkout the worker keeps: the commit it was left at after its last job ({@code null} when that job pushed
     * nothing) and when that job ended.
     */
    public record Checkout(KbId kb, String commit, Instant at) {
        public JsonObject toJson() {
            return new JsonObject().put("kb", kb.value()).put("commit", commit).put("at", Json.text(at));
        }

        public static Checkout fromJson(JsonObject json) {
            return new Checkout(
                    KbId.of(json.getString("kb")), json.getString("commit"), Json.instant(json.getString("at")));
        }
    }

    public JsonObject toJson() {
        JsonArray jobs = new JsonArray();
        running.forEach(r -> jobs.add(r.toJson()));
        JsonArray kbs = new JsonArray();
        checkouts.forEach(c -> kbs.add(c.toJson()));
        return new JsonObject()
                .put("host", host)
                .put("version", version)
                .put("slots", slots)
                .put("idleSlots", idleSlots)
                .put("draining", draining)
                .put("running", jobs)
                .put("checkouts", kbs)
                .put("startedAt", Json.text(startedAt))
                .put("kinds", new JsonArray(kinds.stream().map(JobKind::wire).toList()));
    }

    /**
     * The report as a worker sends it: {@link #toJson()} without {@code kinds} when it runs every kind, which a
     * coordinator older than the field reads as it always did (it refuses fields it does not know).
     */
    public JsonObject toReport() {
        JsonObject json = toJson();
        if (kinds.equals(EVERY_KIND)) {
            json.remove("kinds");
        }
        return json;
    }

    /**
     * A stored presence; a kind this version does not know (from a newer version) is left out, so a worker that runs
     * only such kinds reads as running none of this version's ({@code kinds} empty). Reports are checked on the way in
     * (docs/api.md, "Workers"): they name at least one kind.
     */
    public static WorkerPresence fromJson(JsonObject json) {
        return new WorkerPresence(
                json.getString("host"),
                json.getString("version"),
                json.getInteger("slots", 0),
                json.getInteger("idleSlots", 0),
                json.getBoolean("draining", false),
                Json.list(json.getJsonArray("running"), RunningJob::fromJson),
                Json.list(json.getJsonArray("checkouts"), Checkout::fromJson),
                Json.instant(json.getString("startedAt")),
                kinds(json.getJsonArray("kinds")));
    }

    private static Set<JobKind> kinds(JsonArray wire) {
        if (wire == null) {
            return EVERY_KIND;
        }
        Set<JobKind> kinds = EnumSet.noneOf(JobKind.class);
        wire.forEach(k -> JobKind.find(String.valueOf(k)).ifPresent(kinds::add));
        return kinds;
    }
}
