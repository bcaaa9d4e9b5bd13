package dev.kbsync.coordinator.engine.ticket;

import dev.kbsync.api.JobState;
import java.util.List;

/**
 * A KB's grant as stored in its {@code lease} hash: the ticket holding it, its lease id and token, its times (Redis
 * ms), whether a worker claimed it (and which), and its group commit (running member tickets; {@code done}: the head
 * already reported), and what its holder's last heartbeat said it was doing ({@code doing}: null if none said anything).
 */
public record CurrentGrant(
        String ticket,
        String leaseId,
        long fence,
        long grantedMs,
        long expiresMs,
        long deadlineMs,
        long ttlMs,
        boolean claimed,
        String worker,
        List<String> members,
        boolean done,
        String doing) {

    /**
     * What the worker running job {@code t} said at its last heartbeat that it is doing: this grant's {@code doing}, if
     * {@code t} is running under it (its own lease, or the group commit it runs in) and the worker said something; else
     * null.
     */
    public String doingFor(Ticket t) {
        boolean ours = t.job()
                && t.jobState() == JobState.RUNNING
                && (leaseId.equals(t.leaseId()) || leaseId.equals(t.batch()));
        return ours && doing != null && !doing.isEmpty() ? doing : null;
    }
}
