package dev.kbsync.faults.check;

/**
 * The counts of one run, as docs/reliability.md shows them.
 *
 * @param ops client operations invoked (submits, lease requests, releases)
 * @param acknowledged submits answered 202
 * @param landed acknowledged jobs with exactly one commit on their remote
 * @param duplicated job ids found on more than one commit
 * @param lost acknowledged jobs done without a commit, or neither done nor failed after the drain
 * @param failed acknowledged jobs that ended {@code failed} (an explicit failure, not a loss)
 * @param failedLanded of those, jobs whose note is on their remote all the same: the coordinator failed them when
 *     their grant lapsed on their last attempt ({@code LEASE_EXPIRED}, {@code MAX_HOLD_EXCEEDED}) after their push
 *     went through, or their worker could not tell whether its push landed ({@code PUSH_UNCERTAIN}), as docs/api.md
 *     ("Retry a job") allows
 * @param overlaps pairs of confirmed lease holds of one KB that overlap in time or in fence order
 * @param longestGrantGapMillis the longest time between two lease grants of one KB seen by the clients
 * @param recoveryMillis the longest time from a fault until every KB granted a lease holder again (-1: no fault)
 * @param drainMillis the longest time a KB's queue took to empty after the load stopped
 * @param unavailable answers 503 (degraded mode, retry later)
 */
public record Figures(
        int ops,
        int acknowledged,
        int landed,
        int duplicated,
        int lost,
        int failed,
        int failedLanded,
        int overlaps,
        long longestGrantGapMillis,
        long recoveryMillis,
        long drainMillis,
        int unavailable) {}
