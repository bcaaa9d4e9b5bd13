package dev.kbsync.coordinator.ratelimit;

import dev.kbsync.coordinator.health.RedisHealth;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On a Redis Cluster, the windows of a user or a token (each in a slot of its own, {@link Window#shared()}) that could
 * not be counted in because Redis did not answer (their shard has no master: failing over, down): the submission goes
 * on, not limited by them, instead of being refused on every KB. Each is logged at WARN when it fails, at INFO once it
 * counts again, and every submission let through this way counts in {@code onSkipped}. A KB's own window is never
 * skipped: its shard is the KB's, whose submit step cannot run either. Thread-safe.
 */
public final class UnreachableWindows {
    private static final Logger LOG = LoggerFactory.getLogger(UnreachableWindows.class);

    /** Skips no window: a window that cannot be counted in refuses the submission. */
    public static final UnreachableWindows NONE = new UnreachableWindows(null);

    private final Runnable onSkipped;
    private final Set<String> failing = ConcurrentHashMap.newKeySet();

    /** {@code onSkipped}: hears each submission not limited by a window that could not be reached. */
    public UnreachableWindows(Runnable onSkipped) {
        this.onSkipped = onSkipped;
    }

    /** Whether {@code window}, which could not count a submission ({@code failure}), is skipped. */
    boolean skips(Window window, Throwable failure) {
        if (onSkipped == null || !window.shared() || !RedisHealth.isUnavailable(failure)) {
            return false;
        }
        onSkipped.run();
        if (failing.add(window.key())) {
            LOG.warn(
                    "the rate window of {} ({}) cannot be reached ({}): its submissions go on, not limited by it, until"
                            + " it can (kbsync_rate_windows_skipped_total)",
                    window.what(),
                    window.key(),
                    failure.getMessage());
        }
        return true;
    }

    /** {@code window} counted a submission. */
    void counted(Window window) {
        if (!failing.isEmpty() && failing.remove(window.key())) {
            LOG.info("the rate window of {} ({}) counts submissions again", window.what(), window.key());
        }
    }
}
