package dev.kbsync.coordinator.engine.ticket;

import static dev.kbsync.coordinator.engine.redis.Times.instant;

import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.coordinator.engine.redis.Times;
import java.util.List;

/** One ticket as stored, with the KB's current grant: enough to answer {@code LeaseService.get}. */
public record TicketState(
        String kind,
        String holder,
        String jobId,
        String state,
        Long fence,
        long ttlMs,
        long rank,
        String grantLeaseId,
        Long grantFence,
        long grantedAtMs,
        long expiresAtMs,
        int attempts,
        long avgHoldMs,
        String batch) {

    public static TicketState parse(List<String> r) {
        return new TicketState(
                r.get(0),
                r.get(1),
                r.get(2).isEmpty() ? null : r.get(2),
                r.get(3),
                Times.optLong(r.get(4)),
                Long.parseLong(r.get(5)),
                Long.parseLong(r.get(6)),
                r.get(7),
                Times.optLong(r.get(8)),
                Times.optLong(r.get(9)) == null ? 0 : Long.parseLong(r.get(9)),
                Times.optLong(r.get(10)) == null ? 0 : Long.parseLong(r.get(10)),
                Integer.parseInt(r.get(11)),
                Long.parseLong(r.get(12)),
                r.get(13));
    }

    /** True when {@code ref} is this ticket's lease as a running member of the KB's current group commit. */
    public boolean member(LeaseRef ref) {
        return ref.forJob()
                && !batch.isEmpty()
                && batch.equals(grantLeaseId)
                && ref.fence().equals(fence);
    }

    /** True when {@code leaseId} is the KB's current grant or a running group-commit member's lease. */
    public boolean current(LeaseRef ref) {
        return ref.id().equals(grantLeaseId) || member(ref);
    }

    public Lease toLease(LeaseRef ref) {
        String id = ref.id();
        if (member(ref)) {
            return lease(id, LeaseState.GRANTED, 0, fence, grantedAtMs, expiresAtMs);
        }
        if (id.equals(grantLeaseId)) {
            return lease(id, LeaseState.GRANTED, 0, grantFence, grantedAtMs, expiresAtMs);
        }
        if (!ref.forJob() && "waiting".equals(state) && rank >= 0) {
            return lease(id, LeaseState.WAITING, rank, null, 0, 0);
        }
        boolean released =
                "released".equals(state) && (!ref.forJob() || ref.fence().equals(fence));
        Long token = ref.forJob() ? ref.fence() : fence;
        return lease(id, released ? LeaseState.RELEASED : LeaseState.EXPIRED, 0, token, 0, 0);
    }

    private Lease lease(String id, LeaseState leaseState, long ahead, Long token, long granted, long expires) {
        LeaseRef ref = LeaseRef.parse(id);
        return new Lease(
                id, ref.kb(), holder, leaseState, ahead, token, jobId, instant(granted), instant(expires), ttlMs);
    }
}
