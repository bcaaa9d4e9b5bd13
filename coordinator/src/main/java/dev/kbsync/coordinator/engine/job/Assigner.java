package dev.kbsync.coordinator.engine.job;

import dev.kbsync.api.Assignment;
import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.event.Changes;
import dev.kbsync.coordinator.engine.store.JobStore;
import dev.kbsync.coordinator.engine.store.RedisKbRegistry;
import dev.kbsync.coordinator.engine.ticket.LeaseRef;
import dev.kbsync.coordinator.engine.ticket.Tickets;
import dev.kbsync.coordinator.error.NotFoundException;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.Optional;

/** Hands granted jobs to polling workers: takes ready leases that are still current, marks the job running. */
public final class Assigner {
    private final Poller poller;
    private final Tickets tickets;
    private final JobStore store;
    private final RedisKbRegistry kbs;
    private final Changes changes;
    private final long leaseTtlMs;

    public Assigner(
            Poller poller, Tickets tickets, JobStore store, RedisKbRegistry kbs, Changes changes, long leaseTtlMs) {
        this.poller = poller;
        this.tickets = tickets;
        this.store = store;
        this.kbs = kbs;
        this.changes = changes;
        this.leaseTtlMs = leaseTtlMs;
    }

    /** The next assignment, or empty at {@code deadlineNanos} (System.nanoTime). */
    public Future<Optional<Assignment>> next(String workerId, long deadlineNanos) {
        return poller.take(deadlineNanos)
                .compose(leaseId -> leaseId.isEmpty()
                        ? Future.succeededFuture(Optional.empty())
                        : assign(workerId, LeaseRef.parse(leaseId.get()))
                                .compose(a ->
                                        a.isPresent() ? Future.succeededFuture(a) : next(workerId, deadlineNanos)));
    }

    /** Takes a ready lease if it is still the KB's grant and unclaimed (stale entries are skipped). */
    private Future<Optional<Assignment>> assign(String workerId, LeaseRef ref) {
        return tickets.claim(ref, workerId)
                .compose(claim -> claim.isEmpty()
                        ? Future.succeededFuture(Optional.empty())
                        : running(
                                workerId,
                                ref,
                                claim.get().nowMs(),
                                claim.get().expiresAtMs(),
                                claim.get().attempts()));
    }

    /**
     * Marks the job of a lease just taken (a claimed grant or a group-commit member) running and builds its
     * assignment; a job that already finished (its worker crashed between outcome and release) is released instead.
     */
    public Future<Optional<Assignment>> running(
            String workerId, LeaseRef ref, long nowMs, long expiresAtMs, int attempts) {
        return Future.all(store.load(ref.ticket()), kbs.get(ref.kb())).compose(all -> {
            Job job = all.<Optional<JobStore.Stored>>resultAt(0)
                    .orElseThrow(() -> gone("job " + ref.ticket()))
                    .job();
            KbConfig kb = all.<Optional<KbConfig>>resultAt(1).orElseThrow(() -> gone("KB " + ref.kb()));
            if (job.state().terminal()) {
                return tickets.release(ref, "released", false).map(r -> {
                    changes.released(ref.kb(), r);
                    return Optional.<Assignment>empty();
                });
            }
            Lease lease = new Lease(
                    ref.id(),
                    ref.kb(),
                    workerId,
                    LeaseState.GRANTED,
                    0,
                    ref.fence(),
                    ref.ticket(),
                    Instant.ofEpochMilli(nowMs),
                    Instant.ofEpochMilli(expiresAtMs),
                    leaseTtlMs);
            return store.running(ref.ticket(), ref.id(), ref.fence(), attempts, nowMs)
                    .compose(v -> {
                        changes.announce(ref.kb());
                        return store.load(ref.ticket());
                    })
                    .map(now -> Optional.of(new Assignment(
                            lease,
                            JobStore.at(
                                    now.orElseThrow(() -> gone("job " + ref.ticket()))
                                            .job(),
                                    JobState.RUNNING,
                                    0,
                                    0),
                            kb)));
        });
    }

    private static NotFoundException gone(String what) {
        return new NotFoundException("NOT_FOUND", what + " disappeared while being assigned");
    }
}
