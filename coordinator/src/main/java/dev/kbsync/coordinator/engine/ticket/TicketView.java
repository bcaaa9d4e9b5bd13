package dev.kbsync.coordinator.engine.ticket;

import static dev.kbsync.coordinator.engine.redis.Times.instant;

import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import java.util.Optional;

/** One ticket as stored, its rank in the queue (-1: not queued) and the KB's grant: enough to answer for a lease. */
public record TicketView(Ticket ticket, long rank, Optional<CurrentGrant> grant, long avgHoldMs, long nowMs) {

    /**
     * The lease {@code ref} as it stands: granted while it is the current grant and not past its expiry (a grant past
     * it is expired even before a sweep ended it), waiting while queued (raw), else its final state.
     */
    public Lease lease(LeaseRef ref) {
        Optional<CurrentGrant> live = grant.filter(g -> g.expiresMs() >= nowMs);
        if (live.isPresent() && member(live.get(), ref)) {
            return lease(ref, LeaseState.GRANTED, 0, ticket.fence(), live.get());
        }
        if (live.isPresent() && live.get().leaseId().equals(ref.id())) {
            return lease(ref, LeaseState.GRANTED, 0, live.get().fence(), live.get());
        }
        if (grant.isPresent() && (grant.get().leaseId().equals(ref.id()) || member(grant.get(), ref))) {
            return lease(
                    ref,
                    LeaseState.EXPIRED,
                    0,
                    ref.forJob() ? ref.fence() : grant.get().fence(),
                    null);
        }
        if (!ref.forJob() && ticket.state() == LeaseState.WAITING && rank >= 0) {
            return lease(ref, LeaseState.WAITING, rank, null, null);
        }
        boolean released = ticket.state() == LeaseState.RELEASED
                && (!ref.forJob() || ref.id().equals(ticket.leaseId()));
        Long token = ref.forJob() ? ref.fence() : ticket.fence();
        return lease(ref, released ? LeaseState.RELEASED : LeaseState.EXPIRED, 0, token, null);
    }

    /** What the worker running this job said at its last heartbeat that it is doing ({@link CurrentGrant#doingFor}). */
    public String doing() {
        return grant.map(g -> g.doingFor(ticket)).orElse(null);
    }

    private boolean member(CurrentGrant g, LeaseRef ref) {
        return ref.forJob() && g.leaseId().equals(ticket.batch()) && ref.id().equals(ticket.leaseId());
    }

    private Lease lease(LeaseRef ref, LeaseState state, long ahead, Long token, CurrentGrant g) {
        return new Lease(
                ref.id(),
                ref.kb(),
                ref.forJob() && ticket.worker() != null ? ticket.worker() : ticket.holder(),
                state,
                ahead,
                token,
                ref.forJob() ? ref.job().id() : null,
                g == null ? null : instant(g.grantedMs()),
                g == null ? null : instant(g.expiresMs()),
                g == null ? null : instant(g.deadlineMs()),
                ticket.ttlMs());
    }
}
