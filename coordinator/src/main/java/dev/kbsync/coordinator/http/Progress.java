package dev.kbsync.coordinator.http;

/**
 * Which of two sightings of a job or lease is older. A subject only moves forward: waiting (or queued), then granted
 * (or running), then ended; while it waits its place only falls; and a state it left never comes back without a state
 * event of its own (a job put back in the queue gets a {@code queued} state event before its positions). So a position
 * that shows it in an earlier state than it was last shown, or further back in the same state, was read before that and
 * is dropped, not shown as a move backwards. Such a position comes from a stream's or a long poll's first read racing
 * the engine's events: the events are watched before the first read, so either can land first. A position that shows a
 * later state is news (a coordinator's first refresh of a KB it did not watch tells a claim or a grant that way).
 */
final class Progress {
    private Progress() {}

    /** Whether a position showing {@code state} and {@code ahead} is older than the last sighting shown. */
    static boolean older(String shownState, long shownAhead, String state, long ahead) {
        int shown = stage(shownState);
        int now = stage(state);
        return now < shown || (now == shown && ahead > shownAhead);
    }

    /** 0: waiting or queued; 1: granted or running; 2: ended. */
    private static int stage(String state) {
        return switch (state) {
            case "waiting", "queued" -> 0;
            case "granted", "running" -> 1;
            default -> 2;
        };
    }
}
