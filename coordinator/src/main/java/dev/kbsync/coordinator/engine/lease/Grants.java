package dev.kbsync.coordinator.engine.lease;

import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancelled;
import dev.kbsync.coordinator.engine.ticket.Outcomes.EndReason;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Gone;
import dev.kbsync.coordinator.engine.ticket.Outcomes.NotRequester;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import io.vertx.core.Future;

/**
 * Ends a grant through the lease API (its holder's release, or an admin's force-release): a raw lease leaves the
 * queue; a job keeps its ticket (and its place at the head) and goes back to queued in the same step, so it is
 * granted again with a new fencing token; so do the unfinished members of its group commit. A waiting raw lease is
 * cancelled.
 */
public final class Grants {
    private final Tickets tickets;
    private final MetricsSink metrics;
    private final Changes changes;

    public Grants(Tickets tickets, MetricsSink metrics, Changes changes) {
        this.tickets = tickets;
        this.metrics = metrics;
        this.changes = changes;
    }

    /**
     * Ending a lease that is no longer current is a no-op ({@link Gone}); so is ending a raw lease that a token other
     * than {@code requester} asked for ({@link NotRequester}; {@code requester} '': whoever asked).
     */
    public Future<ReleaseResult> end(LeaseRef ref, String requester) {
        return tickets.release(ref, requester).map(result -> {
            if (result instanceof Gone || result instanceof NotRequester) {
                return result;
            }
            if (result instanceof Ended ended) {
                if (ended.reason() != EndReason.RELEASED) { // lapsed before its release came: as the sweep counts it
                    metrics.expired(ref.kb());
                }
                metrics.released(ref.kb(), ended.heldMs());
                // a lapsed job grant on its last attempt failed its job in the same step: told as the sweep tells it
                ended.failed().forEach(ticket -> changes.ended(ref.kb(), true, new JobRef(ref.kb(), ticket).id()));
            } else if (result instanceof Cancelled cancelled) {
                changes.ended(ref.kb(), cancelled.rawLease(ref.id(), ref.kb()));
            }
            changes.released(ref.kb(), result);
            return result;
        });
    }
}
