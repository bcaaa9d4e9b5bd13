package dev.kbsync.coordinator.engine.ticket;

import java.util.List;

/**
 * A KB's grant as stored in its {@code lease} hash: the ticket holding it, its lease id and token, its times (Redis
 * ms), whether a worker claimed it (and which), and its group commit (running member tickets; {@code done}: the head
 * already reported).
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
        boolean done) {}
