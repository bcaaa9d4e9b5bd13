package dev.kbsync.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of {@link LocalKbLock}.
 *
 * @param timeout default acquisition timeout (in-process wait plus file-lock wait)
 * @param pollInterval how often a waiter retries the cross-process file lock
 * @param lockDir where lock files go for KBs without a {@code .git} directory; {@code null} means
 *     {@code <kb>/../.kbsync-locks}
 */
public record LocalLockConfig(Duration timeout, Duration pollInterval, Path lockDir) {
    /** The original's values: 300 s timeout, 50 ms poll, lock dir beside the KB. */
    public static final LocalLockConfig DEFAULTS =
            new LocalLockConfig(Duration.ofSeconds(300), Duration.ofMillis(50), null);

    public LocalLockConfig {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        }
        if (pollInterval.isNegative() || pollInterval.isZero() || pollInterval.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("pollInterval must be in (0, 5 s]: " + pollInterval);
        }
        if (lockDir != null && !lockDir.isAbsolute()) {
            throw new IllegalArgumentException("lockDir must be absolute: " + lockDir);
        }
    }
}
