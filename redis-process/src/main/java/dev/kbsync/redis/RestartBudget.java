package dev.kbsync.redis;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;

/** How often a supervised {@link RedisProcess} may be started again on its own: at most {@code max} per window. */
final class RestartBudget {
    private final int max;
    private final Duration window;
    /** When it was started again on its own, within the last {@code window}. */
    private final Deque<Long> restarts = new ArrayDeque<>();

    RestartBudget(int max, Duration window) {
        this.max = max;
        this.window = window;
    }

    /** Whether one more restart fits in the window; if so, it is counted. */
    synchronized boolean spend() {
        long now = System.nanoTime();
        while (!restarts.isEmpty() && now - restarts.peekFirst() > window.toNanos()) {
            restarts.removeFirst();
        }
        if (restarts.size() >= max) {
            return false;
        }
        restarts.addLast(now);
        return true;
    }
}
