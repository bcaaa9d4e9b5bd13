package dev.kbsync.worker.run;

/**
 * The grant a unit publishes under: its KB, its fencing token, and {@code firstToken}, the token of the unit's first
 * grant (every commit the unit can have made carries at least that; the exactly-once search stops below it).
 * {@code repeatable}: the holder may publish several times under one grant (a library session), so a branch head
 * fenced with the same token is its own; a job publishes once per grant, so the same token on the head means the
 * grant was already used and the unit must not publish again.
 */
public record Fencing(String kb, long token, long firstToken, boolean repeatable) {
    public Fencing {
        if (kb == null || kb.isBlank()) {
            throw new IllegalArgumentException("kb must be set");
        }
        if (token <= 0 || firstToken <= 0 || firstToken > token) {
            throw new IllegalArgumentException("need 0 < firstToken <= token, got " + firstToken + ", " + token);
        }
    }

    /** True if a branch whose newest fence for this KB is {@code headFence} may take a commit under this grant. */
    public boolean admits(long headFence) {
        return repeatable ? headFence <= token : headFence < token;
    }
}
