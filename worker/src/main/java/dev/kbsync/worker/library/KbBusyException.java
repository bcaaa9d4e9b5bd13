package dev.kbsync.worker.library;

import java.time.Duration;

/**
 * {@link Kbsync#open} did not get the KB within the bot's wait ({@link KbsyncConfig#lockTimeout()}): other writers held
 * it throughout (the coordinator's queue, or the KB's local lock on this machine), or its local lock stayed held until
 * the grant's deadline. Nothing is held on the bot's behalf any more (its place in the queue was given up); try again
 * later. The cause is what timed out: the client's {@code KbsyncException.TimedOut} or the local lock's {@code
 * LockTimeoutException}, which names the lock's holder.
 */
public final class KbBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The error code, as a job's client reads a wait that timed out. */
    public static final String CODE = "TIMEOUT";

    private final String kb;

    KbBusyException(String kb, String message, Throwable cause) {
        super(message, cause);
        this.kb = kb;
    }

    static KbBusyException queued(String kb, Duration waited, long ahead, Throwable cause) {
        return new KbBusyException(
                kb,
                "KB " + kb + " was not granted within " + waited.toMillis() + " ms (" + ahead
                        + " ahead); nothing is held, try again later",
                cause);
    }

    static KbBusyException locallyLocked(String kb, String detail, Throwable cause) {
        return new KbBusyException(kb, "KB " + kb + ": " + detail + "; nothing is held, try again later", cause);
    }

    /** The KB asked for. */
    public String kb() {
        return kb;
    }
}
