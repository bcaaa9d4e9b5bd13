package dev.kbsync.coordinator.engine.eta;

/**
 * What a grant is held for, each with its own hold statistics: a note job's grant (with its group commit), an agent
 * job's, a raw lease's. The scripts write a ticket as a short code: {@code n}, {@code a}, or {@code l<ttl ms>}.
 */
public enum HoldKind {
    NOTE,
    AGENT,
    LEASE;

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
