package dev.kbsync.lock;

import java.nio.file.Path;

/** The waiting thread was interrupted; nothing is held and the thread's interrupt flag is set again. */
public final class LockInterruptedException extends RuntimeException {
    LockInterruptedException(Path kb, String operation, Throwable cause) {
        super(operation + " was interrupted while waiting for the lock of KB " + kb.getFileName(), cause);
    }
}
