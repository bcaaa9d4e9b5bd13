package dev.kbsync.coordinator.engine.ticket;

import static dev.kbsync.coordinator.engine.redis.Times.instant;

import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.coordinator.engine.eta.Eta;
import dev.kbsync.coordinator.engine.eta.HoldStats;
import dev.kbsync.coordinator.engine.eta.Waiting;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A KB's queue read in one script call: the grant, then every ticket in grant order (index = ahead). */
public record KbView(
        KbId kb,
        String grantTicket,
        String grantLeaseId,
        Long fence,
        long grantedAtMs,
        long expiresAtMs,
        long deadlineAtMs,
        boolean claimed,
        long avgHoldMs,
        HoldStats stats,
        long nowMs,
        Set<String> members,
        List<Row> rows) {

    /** One ticket: {@code jobId} is null for raw leases; {@code hold} is what it holds the KB for (the ETA model's). */
    public record Row(
            String ticket,
            TicketKind kind,
            String holder,
            String jobId,
            long createdMs,
            int attempts,
            long ttlMs,
            Waiting hold) {
        public boolean job() {
            return kind == TicketKind.JOB;
        }
    }

    public boolean granted(Row row) {
        return row.ticket().equals(grantTicket);
    }

    /** A claimed job grant or a running member of its group commit. */
    public boolean running(Row row) {
        return row.job() && (granted(row) && claimed || members.contains(row.ticket()));
    }

    /** Wire state of a ticket: raw leases waiting|granted, jobs queued|running. */
    public String state(Row row) {
        if (row.job()) {
            return running(row) ? "running" : "queued";
        }
        return granted(row) ? "granted" : "waiting";
    }

    /** A note job's grant that no worker claimed yet: it will take the queued notes behind it into its group commit. */
    public boolean batchOpen() {
        return !claimed && members.isEmpty();
    }

    /** Every row's estimated wait, in queue order ({@link Eta#NONE} for the holder and running jobs). */
    public List<Eta> etas() {
        return Estimates.fromView(this);
    }

    public Lease lease(Row row, long ahead) {
        boolean granted = granted(row);
        return new Lease(
                LeaseRef.raw(kb, row.ticket()),
                kb,
                row.holder(),
                granted ? LeaseState.GRANTED : LeaseState.WAITING,
                ahead,
                granted ? fence : null,
                null,
                granted ? instant(grantedAtMs) : null,
                granted ? instant(expiresAtMs) : null,
                granted ? instant(deadlineAtMs) : null,
                row.ttlMs());
    }

    public QueueSnapshot snapshot() {
        Optional<QueueEntry> holder = Optional.empty();
        List<QueueEntry> running = new ArrayList<>();
        List<QueueEntry> waiters = new ArrayList<>();
        List<Eta> etas = etas();
        for (int rank = 0; rank < rows.size(); rank++) {
            Row row = rows.get(rank);
            if (granted(row)) {
                holder = Optional.of(entry(row, grantedAtMs, fence));
            } else if (members.contains(row.ticket())) {
                running.add(entry(row, grantedAtMs, null));
            } else {
                Eta eta = etas.get(rank);
                waiters.add(entry(row, row.createdMs(), null)
                        .waiting(eta.etaMs(), eta.p90Ms(), instant(Estimates.reference(this, row))));
            }
        }
        return new QueueSnapshot(kb, holder, running, waiters, avgHoldMs);
    }

    private QueueEntry entry(Row row, long sinceMs, Long token) {
        return new QueueEntry(
                row.ticket(),
                row.kind().wire(),
                row.holder(),
                row.jobId(),
                instant(sinceMs),
                Math.max(0, nowMs - sinceMs),
                token);
    }
}
