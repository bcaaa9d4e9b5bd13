package dev.kbsync.git;

/**
 * How far back a trailer search walks. With a {@code minFence}, it stops at the first commit whose {@code Kbsync-Fence}
 * for {@code kb} is below it (every commit the searched units can have made carries a fence at least that large, and
 * fences only grow along a KB's branch), however many commits fenced for {@code kb} at or above it come first; its
 * safety cap, for histories without fences (written by hand, by unfenced writers, or by another KB sharing the
 * branch), is {@code maxCommits} commits in a row that carry no fence for {@code kb}: the walk gives up at the next
 * one, and a commit fenced for {@code kb} starts the count again. {@code minFence} 0: no fence cut-off, the walk looks
 * at {@code maxCommits} commits at most.
 */
public record TrailerBound(String kb, long minFence, int maxCommits) {
    /**
     * The cap used when no fence bounds the search (a degraded library session: at most this many commits), and as the
     * safety cap otherwise (at most this many commits in a row without the KB's fence).
     */
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
