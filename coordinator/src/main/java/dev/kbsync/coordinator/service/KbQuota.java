package dev.kbsync.coordinator.service;

import java.util.List;

/**
 * A bound on the KBs of a scope: a new KB whose id matches {@code patterns} (names, or prefixes ending in {@code *};
 * none: every id) is registered only while fewer than {@code max} registered KBs match them.
 */
public record KbQuota(List<String> patterns, int max) {
    public KbQuota {
        patterns = List.copyOf(patterns);
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, got " + max);
        }
    }
}
