package dev.kbsync.stop;

import java.time.Duration;
import java.util.List;

/** How a stop bounded by one deadline ended: within it, or cut short at it with what was still under way. */
public sealed interface StopOutcome {
    /** The exit status of a process whose stop was cut short at its bound (as {@code timeout(1)}). */
    int EXIT_PAST_BOUND = 124;

    /** Everything stopped and closed within the bound. */
    record Stopped(Duration took) implements StopOutcome {}

    /** The bound passed first; {@code unfinished} names what was still under way. */
    record PastBound(Duration bound, List<String> unfinished) implements StopOutcome {
        public PastBound {
            unfinished = List.copyOf(unfinished);
        }
    }
}
