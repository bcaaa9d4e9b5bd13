package dev.kbsync.worker.fallback;

import java.util.Locale;

/** What an in-flight job does when the coordinator is unreachable: go on under the local lock, or stop before push. */
public enum FallbackMode {
    LOCAL,
    FAIL;

    public static FallbackMode parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fallback must be 'local' or 'fail', got '" + value + "'", e);
        }
    }
}
