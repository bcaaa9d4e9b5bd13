package dev.kbsync.coordinator.engine.eta;

/**
 * The KB's current grant as the model needs it: what holds it, since when, until when it expires without a renewal
 * (Redis ms), and whether it is a note job's grant that can still take the queued notes behind it into its group
 * commit ({@code batchOpen}: no members taken yet).
 */
public record Holding(Waiting holder, long grantedMs, long expiresMs, boolean batchOpen) {
    public Holding {
        if (holder == null) {
            throw new IllegalArgumentException("holder required");
        }
        batchOpen = batchOpen && holder.kind() == HoldKind.NOTE;
    }
}
