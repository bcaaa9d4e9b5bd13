package dev.kbsync.redis;

import java.util.Locale;

/** When a persistent Redis fsyncs its append-only file ({@code appendfsync}). */
public enum Fsync {
    /** Before it answers each write: an acknowledged write survives a power cut. The slower choice. */
    ALWAYS,
    /** Once a second, in the background: a machine crash (not a process crash) loses up to ~2 s of writes. */
    EVERYSEC;

    /** The {@code appendfsync} value. */
    public String directive() {
        return name().toLowerCase(Locale.ROOT);
    }
}
