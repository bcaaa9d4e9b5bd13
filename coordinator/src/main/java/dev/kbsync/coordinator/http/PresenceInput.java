package dev.kbsync.coordinator.http;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.KbId;
import dev.kbsync.api.WorkerPresence;
import io.vertx.core.json.JsonArray;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads a worker's presence report strictly (docs/api.md, "Workers"): every field checked, 400 on the first fault. */
final class PresenceInput {
    static final String[] FIELDS = {
        "host", "version", "slots", "idleSlots", "draining", "running", "checkouts", "startedAt", "kinds"
    };
    static final int MAX_SLOTS = 64;
    static final int MAX_CHECKOUTS = 64;
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._+-]{1,64}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{4,64}");

    private PresenceInput() {}

    static WorkerPresence read(Fields body) {
        String host = matching(body, "host", HOST, "a host name ([A-Za-z0-9._-]{1,253})");
        String version = matching(body, "version", VERSION, "a version ([A-Za-z0-9._+-]{1,64})");
        long slots = body.integer("slots");
        if (slots < 1 || slots > MAX_SLOTS) {
            throw body.invalid("slots", "between 1 and " + MAX_SLOTS);
        }
        long idle = body.integer("idleSlots");
        if (idle < 0 || idle > slots) {
            throw body.invalid("idleSlots", "between 0 and slots (" + slots + ")");
        }
        List<WorkerPresence.RunningJob> running = running(body, (int) slots);
        if (running.size() + idle > slots) {
            throw body.invalid("running", "at most slots - idleSlots (" + (slots - idle) + ") entries");
        }
        return new WorkerPresence(
                host,
                version,
                (int) slots,
                (int) idle,
                body.optBoolean("draining").orElse(false),
                running,
                checkouts(body),
                instant(body, "startedAt"),
                kinds(body));
    }

    /** The kinds of job the worker runs: absent means every kind (older workers); else a non-empty list, each once. */
    private static Set<JobKind> kinds(Fields body) {
        Optional<JsonArray> array = body.optArray("kinds");
        if (array.isEmpty()) {
            return WorkerPresence.EVERY_KIND;
        }
        Set<JobKind> kinds = EnumSet.noneOf(JobKind.class);
        for (Object kind : array.get()) {
            JobKind known = (kind instanceof String wire ? JobKind.find(wire) : Optional.<JobKind>empty())
                    .orElseThrow(() -> body.invalid("kinds", "a list of job kinds (note, agent)"));
            if (!kinds.add(known)) {
                throw body.invalid("kinds", "each kind listed once");
            }
        }
        if (kinds.isEmpty()) {
            throw body.invalid("kinds", "at least one job kind (note, agent)");
        }
        return kinds;
    }

    private static List<WorkerPresence.RunningJob> running(Fields body, int slots) {
        JsonArray array = body.optArray("running").orElse(new JsonArray());
        List<WorkerPresence.RunningJob> running = new ArrayList<>();
        Set<Long> taken = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Fields entry = body.element(array, "running", i, "slot", "kb", "jobId", "since");
            long slot = entry.integer("slot");
            if (slot < 1 || slot > slots || !taken.add(slot)) {
                throw entry.invalid("slot", "a slot number between 1 and " + slots + ", each slot listed once");
            }
            running.add(new WorkerPresence.RunningJob(
                    (int) slot,
                    KbId.of(entry.string("kb")),
                    Inputs.id("INVALID_JOB_ID", "jobId", entry.string("jobId")),
                    instant(entry, "since")));
        }
        return running;
    }

    private static List<WorkerPresence.Checkout> checkouts(Fields body) {
        JsonArray array = body.optArray("checkouts").orElse(new JsonArray());
        if (array.size() > MAX_CHECKOUTS) {
            throw body.invalid("checkouts", "at most " + MAX_CHECKOUTS + " entries");
        }
        List<WorkerPresence.Checkout> checkouts = new ArrayList<>();
        Set<KbId> seen = new HashSet<>();
        for (int i = 0; i < array.size(); i++) {
            Fields entry = body.element(array, "checkouts", i, "kb", "commit", "at");
            KbId kb = KbId.of(entry.string("kb"));
            if (!seen.add(kb)) {
                throw entry.invalid("kb", "listed once");
            }
            String commit = entry.optString("commit").orElse(null);
            if (commit != null && !COMMIT.matcher(commit).matches()) {
                throw entry.invalid("commit", "a commit id ([0-9a-f]{4,64}) or null");
            }
            checkouts.add(new WorkerPresence.Checkout(kb, commit, instant(entry, "at")));
        }
        return checkouts;
    }

    private static String matching(Fields body, String name, Pattern pattern, String what) {
        String value = body.string(name);
        if (!pattern.matcher(value).matches()) {
            throw body.invalid(name, what);
        }
        return value;
    }

    private static Instant instant(Fields body, String name) {
        try {
            return Instant.parse(body.string(name));
        } catch (DateTimeParseException e) {
            throw body.invalid(name, "an ISO-8601 UTC time (2026-11-29T07:00:00Z)");
        }
    }
}
