package dev.kbsync.cli;

import dev.kbsync.api.Job;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Renders jobs as text, one line each: id, state, KB, user, age, and the commit or the error code (a running job: what
 * its worker said it is doing).
 */
final class JobsView {
    private JobsView() {}

    static String render(List<Job> jobs, Instant now) {
        if (jobs.isEmpty()) {
            return "no jobs" + System.lineSeparator();
        }
        StringBuilder out = new StringBuilder();
        for (Job job : jobs) {
            String outcome = job.error() != null
                    ? job.error().code()
                    : job.commit() != null
                            ? job.commit().substring(0, Math.min(7, job.commit().length()))
                            : job.doing() != null ? job.doing() : "";
            out.append(String.format(
                            Locale.ROOT,
                            "%s  %-8s %s  %s  %s ago  %s",
                            job.id(),
                            job.state().wire(),
                            job.kb().value(),
                            job.user(),
                            age(job.createdAt(), now),
                            outcome)
                    .stripTrailing());
            out.append(System.lineSeparator());
        }
        return out.toString();
    }

    private static String age(Instant then, Instant now) {
        Duration d = then == null ? Duration.ZERO : Duration.between(then, now);
        long s = Math.max(0, d.toSeconds());
        return s < 60 ? s + " s" : s < 3600 ? s / 60 + " min" : s / 3600 + " h";
    }
}
