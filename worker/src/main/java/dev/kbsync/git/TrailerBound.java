package dev.kbsync.git;

/**
 * How far back a trailer search walks: it stops at the first commit whose {@code Kbsync-Fence} for {@code kb} is below
 * {@code minFence} (every commit the searched units can have made carries a fence at least that large, and fences
 * only grow along a KB's branch), and in any case after {@code maxCommits} commits, the safety cap for histories
 * without fences (written by hand or by unfenced writers). {@code minFence} 0: no fence cut-off, the cap alone.
 */
public record TrailerBound(String kb, long minFence, int maxCommits) {
    /** The cap used when no fence bounds the search (a degraded library session) and as the safety cap otherwise. */
    public static final int DEFAULT_CAP = 10_000;

    public TrailerBound {
        if (minFence < 0) {
            throw new IllegalArgumentException("minFence must be >= 0: " + minFence);
        }
        if (maxCommits <= 0) {
            throw new IllegalArgumentException("maxCommits must be > 0: " + maxCommits);
        }
        if (minFence > 0 && (kb == null || kb.isBlank())) {
            throw new IllegalArgumentException("a fence cut-off needs the KB the fence belongs to");
        }
    }

    /** No fence cut-off: the cap alone. */
    public static TrailerBound capped(int maxCommits) {
        return new TrailerBound(null, 0, maxCommits);
    }
}
