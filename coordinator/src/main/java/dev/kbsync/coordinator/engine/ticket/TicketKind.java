package dev.kbsync.coordinator.engine.ticket;

/** What a ticket in a KB queue stands for: a durable job or a raw lease request. */
public enum TicketKind {
    JOB,
    LEASE;

    static TicketKind fromWire(String value) {
        return "job".equals(value) ? JOB : LEASE;
    }

    public String wire() {
        return this == JOB ? "job" : "lease";
    }
}
