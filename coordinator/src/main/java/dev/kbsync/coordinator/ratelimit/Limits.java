package dev.kbsync.coordinator.ratelimit;

import java.time.Duration;
import java.util.List;

/** The sliding windows a submission counts in (see {@link Window}), all of the same {@code length}. */
public record Limits(List<Window> windows, Duration length) {
    /** No window: nothing is counted. */
    public static final Limits NONE = new Limits(List.of(), Duration.ofSeconds(1));

    public Limits {
        windows = List.copyOf(windows);
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("a window lasts at least 1 ms");
        }
    }
}
