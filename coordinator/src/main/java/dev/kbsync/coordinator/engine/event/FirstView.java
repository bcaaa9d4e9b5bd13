package dev.kbsync.coordinator.engine.event;

import dev.kbsync.coordinator.engine.ticket.KbView;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.service.Told;
import dev.kbsync.coordinator.service.Watchers;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The first view of a KB this coordinator publishes, against what its open streams were first told ({@link Told}):
 * whether the two differ, and the tickets' baseline to compare the view with, so each stream hears what changed since
 * its first state (also when no announcement of the change ever arrived) and nothing it was told already.
 */
final class FirstView {
    /** A place no view shows: streams told different things of one ticket are all sent its current state. */
    private static final long DISAGREE = -1;
    /** A state no view shows, for the same: each such ticket is sent a {@code state} event. */
    private static final String DISAGREED = "?";

    private FirstView() {}

    /** Whether {@code view} shows the KB otherwise than any stream was told. */
    static boolean differs(KbView view, List<Told> told) {
        Map<String, Seen> now = current(view);
        Map<String, String> ticketOfJob = ticketsOfJobs(view);
        Told.Queue queue = null;
        for (Told mark : told) {
            if (mark instanceof Told.Ticket ticket) {
                if (!readable(ticket)) {
                    continue;
                }
                Seen seen = now.get(key(ticket, ticketOfJob));
                if (seen == null || !seen.state().equals(ticket.state()) || seen.ahead() != ticket.ahead()) {
                    return true;
                }
            } else {
                queue = queue == null ? Told.Queue.of(view.snapshot()) : queue;
                if (!queue.equals(mark)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The baseline of the view's first publication: per ticket what its streams were told (tickets told of that left
     * the queue included, under a key no row has, so their final events go out), none for a ticket nobody was told of.
     * While a stream's first read is under way (the baseline is not {@code complete}) what it read is not known: every
     * ticket told of is sent its state again rather than a change held back from that stream. {@code queuedOnly}: only
     * the view's tickets (after a view with no ticket: every ticket told of before had its end told then).
     */
    static Map<String, Seen> baseline(KbView view, Watchers.Baseline told, boolean queuedOnly) {
        Map<String, Seen> baseline = baseline(view, told.told());
        if (queuedOnly) {
            baseline.keySet().retainAll(current(view).keySet());
        }
        if (!told.complete()) {
            baseline.replaceAll((ticket, seen) -> new Seen(DISAGREE, DISAGREED, seen.jobId(), null));
        }
        return baseline;
    }

    static Map<String, Seen> baseline(KbView view, List<Told> told) {
        Map<String, String> ticketOfJob = ticketsOfJobs(view);
        Map<String, Seen> baseline = new HashMap<>();
        for (Told mark : told) {
            if (mark instanceof Told.Ticket ticket && readable(ticket)) {
                Seen seen = new Seen(ticket.ahead(), ticket.state(), ticket.job() ? ticket.id() : null, null);
                baseline.merge(
                        key(ticket, ticketOfJob),
                        seen,
                        (a, b) -> a.equals(b)
                                ? a
                                : new Seen(DISAGREE, DISAGREED, a.jobId() != null ? a.jobId() : b.jobId(), null));
            }
        }
        return baseline;
    }

    /** Every row's place and state as the view shows them, by ticket. */
    static Map<String, Seen> current(KbView view) {
        Map<String, Seen> now = new HashMap<>();
        for (int rank = 0; rank < view.rows().size(); rank++) {
            KbView.Row row = view.rows().get(rank);
            now.put(row.ticket(), new Seen(view.running(row) ? 0 : rank, view.state(row), row.jobId(), null));
        }
        return now;
    }

    private static Map<String, String> ticketsOfJobs(KbView view) {
        Map<String, String> tickets = new HashMap<>();
        view.rows().stream().filter(KbView.Row::job).forEach(row -> tickets.put(row.jobId(), row.ticket()));
        return tickets;
    }

    /** The row key of a ticket told of: its ticket, or for a job no longer queued its id under a prefix no row has. */
    private static String key(Told.Ticket ticket, Map<String, String> ticketOfJob) {
        if (ticket.job()) {
            return ticketOfJob.getOrDefault(ticket.id(), "job:" + ticket.id());
        }
        return LeaseRef.parse(ticket.id()).ticket();
    }

    /**
     * Whether the mark names a ticket a view shows as told: a job, or a raw lease by an id this version writes. A
     * worker's lease on a job is left out: the view shows the job (its streams hear it), never that lease.
     */
    private static boolean readable(Told.Ticket ticket) {
        if (ticket.job()) {
            return true;
        }
        try {
            return !LeaseRef.parse(ticket.id()).forJob();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
