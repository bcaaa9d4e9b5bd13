package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.Job;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.KbsyncEvent;
import dev.kbsync.api.event.LeaseEvent;
import dev.kbsync.coordinator.engine.ticket.JobRef;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.service.QueueAddresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@link Fanout}'s per-ticket side: a job's or raw lease's event on its own address (a job's also on
 * {@link QueueAddresses#JOBS}, a final one also on the KB's ended address), never once its final event went out; and
 * the final events read from Redis. Engine context only.
 */
final class TicketSender {
    private static final int ENDED_MEMORY = 4096;

    private final EventBus bus;
    private final Tickets tickets;
    /**
     * Job and lease addresses whose final event went out: nothing more is sent to them. A ticket's end is seen twice
     * here, by the step that ended it ({@link Fanout#ended}) and by the next refresh; its stream unregisters on the
     * first final event, and a second one, already on its way, reached a consumer that was gone (Vert.x discards it
     * with a warning). The two sightings are a few Redis calls apart, so the most recent few thousand addresses
     * suffice.
     */
    private final Set<String> ended = Collections.newSetFromMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > ENDED_MEMORY;
        }
    });

    TicketSender(EventBus bus, Tickets tickets) {
        this.bus = bus;
        this.tickets = tickets;
    }

    /** Whether the final event of the job or lease at {@code address} went out already. */
    boolean ended(String address) {
        return ended.contains(address);
    }

    /** The job's final event, read from Redis, unless one went out already (or it has not ended after all). */
    Future<Void> finalJob(String jobId) {
        if (ended.contains(QueueAddresses.job(jobId))) {
            return Future.succeededFuture();
        }
        return load(jobId).map(job -> {
            if (job != null && job.state().terminal()) {
                job(Change.STATE, job);
            }
            return null;
        });
    }

    /** {@link #finalJob} for a raw lease. */
    Future<Void> finalLease(LeaseRef ref) {
        if (ended.contains(QueueAddresses.lease(ref.id()))) {
            return Future.succeededFuture();
        }
        return tickets.ticket(ref.kb(), ref.ticket()).map(state -> {
            state.map(s -> s.lease(ref))
                    .filter(lease -> lease.state() == LeaseState.RELEASED || lease.state() == LeaseState.EXPIRED)
                    .ifPresent(lease -> lease(Change.STATE, lease));
            return null;
        });
    }

    /** The job as stored in Redis, null if it is gone. */
    Future<Job> load(String jobId) {
        return JobRef.of(jobId).compose(tickets::job).map(job -> job.orElse(null));
    }

    void job(Change type, Job job) {
        job(type.of(job));
    }

    void job(JobEvent event) {
        Job job = event.job();
        if (send(QueueAddresses.job(job.id()), event)) {
            bus.publish(QueueAddresses.JOBS, event);
            if (event.last()) {
                bus.publish(QueueAddresses.ended(job.kb()), event);
            }
        }
    }

    Future<Void> lease(Change type, Lease lease) {
        LeaseEvent event = type.of(lease);
        if (send(QueueAddresses.lease(lease.id()), event) && event.last()) {
            bus.publish(QueueAddresses.ended(lease.kb()), event);
        }
        return Future.succeededFuture();
    }

    /** Publishes a job's or lease's event, unless its final event went out already; whether it did. */
    private boolean send(String address, KbsyncEvent event) {
        if (ended.contains(address)) {
            return false;
        }
        if (event.last()) {
            ended.add(address);
        }
        bus.publish(address, event);
        return true;
    }
}
