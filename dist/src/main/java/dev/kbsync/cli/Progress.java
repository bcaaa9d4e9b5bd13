package dev.kbsync.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a job's live state: on a terminal one line rewritten in place ("waiting: 3 ahead, ~40 s"), otherwise one plain
 * line per change. Then the outcome: commit and changed files with links, or the error code and message.
 */
final class Progress {
    private final PrintStream out;
    private final boolean inPlace;
    private String last = "";

    Progress(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    void show(JsonObject job) {
        line(describe(job));
    }

    /** Shows a status line (in place on a terminal), skipping repeats. */
    synchronized void line(String line) {
        if (line.equals(last)) {
            return;
        }
        last = line;
        if (inPlace) {
            out.print("\r\033[K" + line);
        } else {
            out.println(line);
        }
        out.flush();
    }

    static String describe(JsonObject job) {
        String state = job.getString("state", "?");
        return switch (state) {
            case "queued" ->
                String.format(
                        Locale.ROOT,
                        "waiting: %d ahead, ~%s",
                        job.getLong("ahead", 0L),
                        seconds(job.getLong("etaMs", 0L)));
            case "running" -> "running (fencing token " + job.getValue("fencingToken") + ")";
            default -> state;
        };
    }

    /** Ends an in-place line. */
    synchronized void end() {
        if (inPlace && !last.isEmpty()) {
            out.println();
            last = "";
        }
    }

    /** Prints the outcome and returns the exit code. */
    int finish(JsonObject job) {
        end();
        if ("done".equals(job.getString("state"))) {
            out.println("done: commit " + job.getString("commit"));
            JsonArray files = job.getJsonArray("files", new JsonArray());
            for (int i = 0; i < files.size(); i++) {
                JsonObject f = files.getJsonObject(i);
                String url = f.getString("url");
                out.println("  " + f.getString("change") + " " + f.getString("path") + (url == null ? "" : "  " + url));
            }
            return ExitCodes.OK;
        }
        JsonObject error = job.getJsonObject("error", new JsonObject());
        out.println("failed: " + error.getString("code", "UNKNOWN") + ": " + error.getString("message", ""));
        return ExitCodes.JOB_FAILED;
    }

    private static String seconds(long millis) {
        return millis < 1000 ? "<1 s" : (millis + 999) / 1000 + " s";
    }
}
