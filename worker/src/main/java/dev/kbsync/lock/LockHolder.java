package dev.kbsync.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Who holds a KB's lock: the operation, its process id and since when. */
public record LockHolder(String operation, long pid, Instant since) {
    /** How long the holder has held the lock, by {@code clock}. */
    public Duration heldFor(Clock clock) {
        Duration held = Duration.between(since, clock.instant());
        return held.isNegative() ? Duration.ZERO : held;
    }

    /** {@code "create_note_user_7 for 3.2 s"} (with {@code " (pid 123)"} when in another process). */
    String describe(Clock clock) {
        String where = pid == ProcessHandle.current().pid() ? "" : " (pid " + pid + ")";
        return operation + where + " for " + seconds(heldFor(clock));
    }

    static String seconds(Duration duration) {
        return String.format(java.util.Locale.ROOT, "%.1f s", duration.toMillis() / 1000.0);
    }
}
