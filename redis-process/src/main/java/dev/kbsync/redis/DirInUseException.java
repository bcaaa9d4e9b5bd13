package dev.kbsync.redis;

import java.nio.file.Path;

/** A directory owned (locked) by another running process; the message names it and, when known, its pid. */
public final class DirInUseException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    DirInUseException(Path dir, String owner) {
        super(dir + " is in use by another process" + (owner.isEmpty() ? "" : " (pid " + owner + ")")
                + "; stop it first");
    }
}
