package dev.kbsync.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The lock of a KB could not be acquired within the timeout; the message names the holder and how long it held. */
public final class LockTimeoutException extends RuntimeException {
    private final transient Path kb;
    private final transient LockHolder holder;

    LockTimeoutException(Path kb, String operation, Duration timeout, String holderDescription, LockHolder holder) {
        super("lock for KB " + kb.getFileName() + " (" + kb + ") could not be acquired by " + operation + " within "
                + LockHolder.seconds(timeout) + ": held by " + holderDescription);
        this.kb = kb;
        this.holder = holder;
    }

    /** The canonical path of the KB. */
    public Path kb() {
        return kb;
    }

    /** The holder at the moment the wait gave up, when known. */
    public Optional<LockHolder> holder() {
        return Optional.ofNullable(holder);
    }
}
