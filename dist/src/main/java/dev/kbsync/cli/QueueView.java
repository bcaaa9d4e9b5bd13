package dev.kbsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/** Renders queue snapshots as text: the holder, then the waiters in grant order with how long each has waited. */
final class QueueView {
    private QueueView() {}

    static String render(JsonObject snapshot) {
        StringBuilder out = new StringBuilder(snapshot.getString("kb"));
        JsonObject holder = snapshot.getJsonObject("holder");
        out.append(
                holder == null
                        ? "  (free)"
                        : "  holder: " + entry(holder) + ", fence " + holder.getValue("fencingToken"));
        out.append(String.format(Locale.ROOT, "  avg hold %.1f s%n", snapshot.getLong("avgHoldMs", 0L) / 1000.0));
        JsonArray running = snapshot.getJsonArray("running", new JsonArray());
        for (int i = 0; i < running.size(); i++) {
            out.append("   + ").append(entry(running.getJsonObject(i))).append(" in the same push");
            out.append(System.lineSeparator());
        }
        JsonArray waiters = snapshot.getJsonArray("waiters", new JsonArray());
        for (int i = 0; i < waiters.size(); i++) {
            out.append(String.format(Locale.ROOT, "  %2d. %s%n", i + 1, entry(waiters.getJsonObject(i))));
        }
        return out.toString();
    }

    private static String entry(JsonObject e) {
        String what = e.getString("jobId") != null ? "job " + e.getString("jobId") : e.getString("kind", "lease");
        return String.format(
                Locale.ROOT, "%s (%s, %.1f s)", e.getString("holder"), what, e.getLong("waitedMs", 0L) / 1000.0);
    }
}
