package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.KbId;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ListSlice;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Listed;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.service.JobCursor;
import dev.kbsync.coordinator.service.JobListQuery;
import dev.kbsync.coordinator.service.ListCursor;
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
 * while {@code nextCursor} is set: follow it until it is null. Where a scan stopped is the position of a job the
 * caller may not see when it is users-scoped: that cursor is sealed ({@link CursorSeal}).
 */
final class JobLists {
    /** Index entries one KB's script looks at per page, at most. */
    static final int MAX_SCAN = 1000;

    private final Tickets tickets;
    private final CursorSeal seal;
    private final int maxScan;

    /** {@code maxScan}: index entries one KB's script looks at per page, at most ({@link #MAX_SCAN}). */
    JobLists(Tickets tickets, CursorSeal seal, int maxScan) {
        this.tickets = tickets;
        this.seal = seal;
        this.maxScan = maxScan;
    }

    Future<JobPage> page(JobListQuery q) {
        return after(q.cursor()).compose(after -> {
            String user = q.user().orElse("");
            String state = q.state().map(s -> s.wire()).orElse("");
            List<Future<ListSlice>> slices = new ArrayList<>();
            for (KbId kb : q.kbs()) {
                slices.add(tickets.list(kb, after, q.limit(), user, q.users(), state, maxScan));
            }
            return Future.all(slices)
                    .compose(all -> merge(q, slices.stream().map(Future::result).toList()));
        });
    }

    private Future<Optional<JobCursor>> after(Optional<ListCursor> cursor) {
        if (cursor.isPresent() && cursor.get() instanceof ListCursor.Sealed sealed) {
            return seal.open(sealed).map(Optional::of);
        }
        return Future.succeededFuture(cursor.map(JobCursor.class::cast));
    }

    private Future<JobPage> merge(JobListQuery q, List<ListSlice> slices) {
        Optional<JobCursor> floor = floor(slices);
        List<Listed> merged = slices.stream()
                .flatMap(s -> s.jobs().stream())
                .filter(l -> floor.isEmpty() || l.position().compareTo(floor.get()) >= 0)
                .sorted(Comparator.comparing(Listed::position).reversed())
                .limit(q.limit())
                .toList();
        List<Job> jobs = merged.stream().map(Listed::job).toList();
        return next(q, merged, floor).map(next -> new JobPage(jobs, next));
    }

    /**
     * The page's {@code nextCursor}: its last job when it is full, else where the scans stopped (sealed when that is
     * no job of the page and the caller is users-scoped), null when every scan reached its KB's end.
     */
    private Future<String> next(JobListQuery q, List<Listed> merged, Optional<JobCursor> floor) {
        if (merged.size() == q.limit()) {
            return Future.succeededFuture(
                    merged.get(merged.size() - 1).position().encode());
        }
        if (floor.isEmpty()) {
            return Future.succeededFuture(null);
        }
        JobCursor cut = floor.get();
        if (q.users().isEmpty() || merged.stream().anyMatch(l -> l.position().equals(cut))) {
            return Future.succeededFuture(cut.encode());
        }
        return seal.seal(cut).map(ListCursor::encode);
    }

    /** The highest position every slice is complete down to (empty: each is complete to its KB's end). */
    private static Optional<JobCursor> floor(List<ListSlice> slices) {
        Optional<JobCursor> bound = Optional.empty();
        for (ListSlice slice : slices) {
            Optional<JobCursor> to = slice.completeDownTo();
            if (to.isPresent() && (bound.isEmpty() || to.get().compareTo(bound.get()) > 0)) {
                bound = to;
            }
        }
        return bound;
    }
}
