package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ListSlice;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Listed;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.service.JobCursor;
import dev.kbsync.coordinator.service.JobListQuery;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The job list across KBs, newest first: one read-only script per KB (its index lives in its slot) returns up to a
 * page of matching jobs after the cursor; the slices are merged down to the highest position every slice is complete
 * to, so a page never skips a job. Jobs the caller may not see are left out by the scripts, like those the filters
 * leave out, so a page's last job is one it may see. A page may hold fewer jobs than asked (a KB's scan stopped early)
 * while {@code nextCursor} is set: follow it until it is null.
 */
final class JobLists {
    /** Index entries one KB's script looks at per page, at most. */
    static final int MAX_SCAN = 1000;

    private final Tickets tickets;

    JobLists(Tickets tickets) {
        this.tickets = tickets;
    }

    Future<JobPage> page(JobListQuery q) {
        Optional<JobCursor> after = q.cursor();
        String user = q.user().orElse("");
        String state = q.state().map(s -> s.wire()).orElse("");
        List<Future<ListSlice>> slices = new ArrayList<>();
        for (KbId kb : q.kbs()) {
            slices.add(tickets.list(kb, after, q.limit(), user, q.users(), state, MAX_SCAN));
        }
        return Future.all(slices)
                .map(all -> merge(q, slices.stream().map(Future::result).toList()));
    }

    private static JobPage merge(JobListQuery q, List<ListSlice> slices) {
        Optional<JobCursor> bound = Optional.empty();
        for (ListSlice slice : slices) {
            Optional<JobCursor> to = slice.completeDownTo();
            if (to.isPresent() && (bound.isEmpty() || to.get().compareTo(bound.get()) > 0)) {
                bound = to;
            }
        }
        Optional<JobCursor> floor = bound;
        List<Listed> merged = slices.stream()
                .flatMap(s -> s.jobs().stream())
                .filter(l -> floor.isEmpty() || l.position().compareTo(floor.get()) >= 0)
                .sorted(Comparator.comparing(Listed::position).reversed())
                .limit(q.limit())
                .toList();
        String next = null;
        if (merged.size() == q.limit()) {
            next = merged.get(merged.size() - 1).position().encode();
        } else if (floor.isPresent()) {
            next = floor.get().encode();
        }
        List<Job> jobs = merged.stream().map(Listed::job).toList();
        return new JobPage(jobs, next);
    }
}
