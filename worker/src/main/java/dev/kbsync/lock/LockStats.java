package dev.kbsync.lock;

import java.time.Duration;

/** Acquisitions of one KB's local lock so far: how many, and how long they waited and held (total and max). */
public record LockStats(long count, Duration totalWait, Duration maxWait, Duration totalHold, Duration maxHold) {
    static final LockStats EMPTY = new LockStats(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);

    LockStats plus(Duration wait, Duration hold) {
        return new LockStats(
                count + 1, totalWait.plus(wait), max(maxWait, wait), totalHold.plus(hold), max(maxHold, hold));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
