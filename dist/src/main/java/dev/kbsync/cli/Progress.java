package dev.kbsync.cli;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobError;
import dev.kbsync.api.JobState;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a job's live state: on a terminal one line rewritten in place ("waiting: 3 ahead, ~10-25 s", "running (fencing
 * token 7): writing the note"), otherwise one plain line per change. Then the outcome: commit and changed files with links, or the error code and message.
 */
final class Progress {
    private final PrintStream out;
    private final boolean inPlace;
    private String last = "";

    Progress(PrintStream out, boolean inPlace) {
        this.out = out;
        this.inPlace = inPlace;
    }

    void show(Job job) {
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

    static String describe(Job job) {
        return switch (job.state()) {
            case QUEUED -> String.format(Locale.ROOT, "waiting: %d ahead, ~%s", job.ahead(), band(job));
            case RUNNING ->
                (job.fencingToken() == null ? "running" : "running (fencing token " + job.fencingToken() + ")")
                        + (job.doing() == null ? "" : ": " + job.doing());
            default -> job.state().wire();
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
    int finish(Job job) {
        end();
        if (job.state() == JobState.DONE) {
            out.println("done: commit " + job.commit());
            for (FileChange f : job.files()) {
                String change = f.change().name().toLowerCase(Locale.ROOT);
                out.println("  " + change + " " + f.path() + (f.url() == null ? "" : "  " + f.url()));
            }
            if (job.result() != null) {
                out.println(job.result());
            }
            return ExitCodes.OK;
        }
        if (job.state() == JobState.CANCELLED) {
            out.println("cancelled: the job never landed");
            return ExitCodes.FAILED;
        }
        JobError error = job.error() == null ? new JobError("UNKNOWN", "") : job.error();
        out.println("failed: " + error.code() + ": " + error.message());
        return ExitCodes.FAILED;
    }

    /** The expected wait and its 90th percentile: "10-25 s", "40 s" when they round alike, "<1 s". */
    static String band(Job job) {
        return band(job.etaMs(), job.etaP90Ms());
    }

    static String band(long etaMs, long etaP90Ms) {
        long high = Math.max(etaMs, etaP90Ms);
        if (high < 1000) {
            return "<1 s";
        }
        long from = Math.round(etaMs / 1000.0);
        long to = Math.max(from, (high + 999) / 1000);
        return from == to ? to + " s" : from + "-" + to + " s";
    }
}
