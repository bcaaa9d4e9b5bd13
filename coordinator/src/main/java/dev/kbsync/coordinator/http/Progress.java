package dev.kbsync.coordinator.http;

/**
 * Which of two sightings of a waiting job or lease is older. A waiter only moves forward: its place in the queue only
 * falls while it waits, and a state it left never comes back without a state event of its own (a job put back in the
 * queue gets a {@code queued} state event before its positions). So a position that shows it further back than it was
 * last shown, or in another state, was read before that and is dropped, not shown as a move backwards. Such a
 * position comes from a stream's or a long poll's first read racing the engine's events: the events are watched
 * before the first read, so either can land first.
 */
final class Progress {
    private Progress() {}

    /** Whether a position showing {@code state} and {@code ahead} is older than the last sighting shown. */
    static boolean older(String shownState, long shownAhead, String state, long ahead) {
        return !shownState.equals(state) || ahead > shownAhead;
    }
}
