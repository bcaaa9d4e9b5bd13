package dev.kbsync.coordinator.engine.lease;

import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.store.JobStore;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Cancelled;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Ended;
import dev.kbsync.coordinator.engine.ticket.Outcomes.Gone;
import dev.kbsync.coordinator.engine.ticket.Outcomes.ReleaseResult;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.metrics.MetricsSink;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Ends a grant that did not complete normally: a raw lease leaves the queue; a job keeps its ticket (and its place
 * at the head) and goes back to queued, so it is granted again with a new fencing token; so do the unfinished
 * members of its group commit, each at its own place.
 */
public final class Grants {
    private final Tickets tickets;
    private final JobStore jobs;
    private final MetricsSink metrics;
    private final Changes changes;

    public Grants(Tickets tickets, JobStore jobs, MetricsSink metrics, Changes changes) {
        this.tickets = tickets;
        this.jobs = jobs;
        this.metrics = metrics;
        this.changes = changes;
    }

    /** {@code endState} is {@code released} or {@code expired}; ending a lease that is no longer current is a no-op. */
    public Future<ReleaseResult> end(LeaseRef ref, String endState) {
        return tickets.release(ref, endState, ref.forJob()).compose(result -> {
            if (result instanceof Gone) {
                return Future.succeededFuture(result);
            }
            if (result instanceof Ended ended) {
                metrics.released(ref.kb(), ended.heldMs());
            }
            List<String> back = new ArrayList<>(result instanceof Ended e ? e.requeued() : List.of());
            if (ref.forJob()) {
                back.add(ref.ticket());
            }
            if (!ref.forJob() && result instanceof Ended ended) {
                changes.ended(
                        ref.kb(),
                        ended.rawLease(
                                ref.id(),
                                ref.kb(),
                                "expired".equals(endState) ? LeaseState.EXPIRED : LeaseState.RELEASED));
            } else if (!ref.forJob() && result instanceof Cancelled cancelled) {
                changes.ended(ref.kb(), cancelled.rawLease(ref.id(), ref.kb()));
            }
            return Future.all(back.stream().map(jobs::requeue).toList()).map(v -> {
                changes.released(ref.kb(), result);
                return result;
            });
        });
    }
}
