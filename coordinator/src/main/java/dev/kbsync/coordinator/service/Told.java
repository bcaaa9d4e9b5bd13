package dev.kbsync.coordinator.service;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.api.event.SnapshotEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an event stream was first told of one KB, kept while the stream is open ({@link Watchers.Watch#told}): the
 * fan-out compares a KB it has published no view of yet with it, so a change whose announcement never arrived still
 * reaches the streams, and an unchanged ticket is not told its state again.
 */
public sealed interface Told permits Told.Ticket, Told.Queue {
    KbId kb();

    /** A job's ({@code job}, {@code id} its job id) or a raw lease's ({@code id} its lease id) state and place. */
    record Ticket(KbId kb, String id, boolean job, String state, long ahead) implements Told {}

    /** A KB's whole queue: the holder's fencing token (0: none) and every ticket, holder first, in queue order. */
    record Queue(KbId kb, long fence, List<String> tickets) implements Told {
        public Queue {
            tickets = List.copyOf(tickets);
        }

        public static Queue of(QueueSnapshot snapshot) {
            List<String> tickets = new ArrayList<>();
            snapshot.holder().ifPresent(holder -> tickets.add(holder.ticketId()));
            snapshot.running().forEach(entry -> tickets.add(entry.ticketId()));
            snapshot.waiters().forEach(entry -> tickets.add(entry.ticketId()));
            long fence = snapshot.holder()
                    .map(QueueEntry::fencingToken)
                    .map(token -> token == null ? 0L : token)
                    .orElse(0L);
            return new Queue(snapshot.kb(), fence, tickets);
        }
    }

    /** What {@code event}, sent as a stream's first state, told; nothing for a final event (its stream ends). */
    static Optional<Told> of(KbsyncEvent event) {
        if (event.last()) {
            return Optional.empty();
        }
        if (event instanceof SnapshotEvent snapshot) {
            return Optional.of(Queue.of(snapshot.snapshot()));
        }
        if (event instanceof LeaseEvent leaseEvent) {
            Lease lease = leaseEvent.lease();
            return Optional.of(
                    new Ticket(lease.kb(), lease.id(), false, lease.state().wire(), lease.ahead()));
        }
        Job job = ((JobEvent) event).job();
        return Optional.of(new Ticket(job.kb(), job.id(), true, job.state().wire(), job.ahead()));
    }
}
