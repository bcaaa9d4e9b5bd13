package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.eta.Eta;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A webhook delivery claimed by this coordinator (hooks.lua): the job as stored (terminal), its callback URL, when it
 * became due (its terminal state, Redis ms) and which attempt this is (1 for the first).
 */
public record DueHook(KbId kb, String ticket, Job job, String callbackUrl, long dueSinceMs, int attempt) {
    public DueHook {
        Objects.requireNonNull(kb, "kb");
        Objects.requireNonNull(ticket, "ticket");
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(callbackUrl, "callbackUrl");
    }

    /** The delivery id receivers drop duplicates by: stable across the retries of one delivery. */
    public String deliveryId() {
        return job.id() + ":" + job.state().wire();
    }

    /** What reporting a delivery's result did (hookdone.lua). */
    public enum Result {
        DELIVERED,
        RETRY,
        DROPPED,
        UNKNOWN
    }

    static List<DueHook> fromScript(KbId kb, JsonObject r) {
        Object raw = r.getValue("due");
        List<DueHook> out = new ArrayList<>();
        if (!(raw instanceof JsonArray due)) {
            return out; // cjson writes an empty array as {}
        }
        for (int i = 0; i < due.size(); i++) {
            JsonObject d = due.getJsonObject(i);
            String ticket = d.getString("ticket");
            Records.view(ticket, d.getJsonObject("view"))
                    .map(v -> Records.job(d.getString("job"), v.ticket(), v.rank(), Eta.NONE))
                    .ifPresent(job -> out.add(
                            new DueHook(kb, ticket, job, d.getString("cb"), d.getLong("wd"), d.getInteger("wn"))));
        }
        return out;
    }
}
