package dev.kbsync.coordinator.engine.eta;

/**
 * A waiting ticket's estimate, counted from the last change of its place in the queue: {@code etaMs} is the expected
 * wait, {@code p90Ms} the wait it stays under nine times out of ten ({@code p90Ms >= etaMs}). Zero for a ticket that
 * waits for nothing (granted, running, or first in line).
 */
public record Eta(long etaMs, long p90Ms) {
    public static final Eta NONE = new Eta(0, 0);

    public Eta {
        if (etaMs < 0 || p90Ms < etaMs) {
            throw new IllegalArgumentException("need 0 <= etaMs <= p90Ms, got " + etaMs + ", " + p90Ms);
        }
    }
}
