package dev.kbsync.cli;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.Worker;
import dev.kbsync.api.WorkerPresence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Renders workers as text: one line per worker (a worker without an agent marked: it takes no agent tasks), then one per
 * running job, then its checkouts.
 */
final class WorkersView {
    private static final int CHECKOUTS_SHOWN = 5;

    private WorkersView() {}

    static String render(List<Worker> workers, Instant now) {
        if (workers.isEmpty()) {
            return "no workers (none renewed its presence recently)" + System.lineSeparator();
        }
        StringBuilder out = new StringBuilder();
        for (Worker worker : workers) {
            WorkerPresence p = worker.presence();
            out.append(String.format(
                    Locale.ROOT,
                    "%s  %s%s  %s%s%d slots, %d idle%s  seen %s ago%n",
                    worker.id(),
                    worker.state().wire(),
                    p.draining() ? " (draining)" : "",
                    p.host() == null ? "" : p.host() + "  ",
                    p.version() == null ? "" : "v" + p.version() + "  ",
                    p.slots(),
                    p.idleSlots(),
                    p.kinds().contains(JobKind.AGENT) ? "" : ", notes only (no agent)",
                    age(worker.lastSeen(), now)));
            for (WorkerPresence.RunningJob job : p.running()) {
                out.append(String.format(
                        Locale.ROOT,
                        "  slot %d: job %s on %s for %s%n",
                        job.slot(),
                        job.jobId() == null ? "?" : job.jobId(),
                        job.kb().value(),
                        age(job.since(), now)));
            }
            if (!p.checkouts().isEmpty()) {
                String shown = p.checkouts().stream()
                        .limit(CHECKOUTS_SHOWN)
                        .map(c -> c.kb().value() + "@" + (c.commit() == null ? "?" : shortId(c.commit())) + " ("
                                + age(c.at(), now) + " ago)")
                        .collect(Collectors.joining(", "));
                int more = p.checkouts().size() - CHECKOUTS_SHOWN;
                out.append("  checkouts: ")
                        .append(shown)
                        .append(more > 0 ? ", " + more + " more" : "")
                        .append(System.lineSeparator());
            }
        }
        return out.toString();
    }

    private static String shortId(String commit) {
        return commit.length() > 7 ? commit.substring(0, 7) : commit;
    }

    private static String age(Instant then, Instant now) {
        if (then == null) {
            return "?";
        }
        Duration d = Duration.between(then, now);
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        if (d.toSeconds() < 60) {
            return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
        }
        return d.toMinutes() < 60 ? d.toMinutes() + " min" : d.toHours() + " h";
    }
}
