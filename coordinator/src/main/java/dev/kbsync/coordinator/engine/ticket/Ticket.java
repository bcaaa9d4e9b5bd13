package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.JobKind;
import dev.kbsync.api.JobState;
import dev.kbsync.api.LeaseState;
import java.util.List;

/**
 * A ticket as stored in its KB's {@code tickets} hash: its queue state ({@code state}: waiting, granted, released,
 * expired), the token and id of its latest grant, its attempts (claims by workers), the group commit it runs in
 * ({@code batch}: the head's lease id), and for a job what happened to it ({@code jobState}, times, outcome, an agent's
 * answer: {@code result}, the name of the token that submitted it: {@code submitter}, '' when unknown, and its callback
 * URL: {@code callbackUrl}, '' when none), and for a job the tickets of the journal jobs restored onto it
 * ({@code restored}: a degraded coordinator's jobs that carried its request, see {@code Job#restoredFrom}).
 */
public record Ticket(
        String id,
        TicketKind kind,
        String holder,
        long createdMs,
        long ttlMs,
        long thread,
        LeaseState state,
        Long fence,
        int attempts,
        JobKind type,
        String batch,
        String leaseId,
        JobState jobState,
        Long firstFence,
        Long startedMs,
        Long finishedMs,
        String commit,
        String commitUrl,
        String files,
        String error,
        String worker,
        String result,
        String submitter,
        String callbackUrl,
        List<String> restored) {

    public Ticket {
        restored = restored == null ? List.of() : List.copyOf(restored);
    }

    public boolean job() {
        return kind == TicketKind.JOB;
    }
}
