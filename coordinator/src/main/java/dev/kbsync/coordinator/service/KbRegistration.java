package dev.kbsync.coordinator.service;

import dev.kbsync.api.KbConfig;

/** What a registration within a {@link KbQuota} came to. */
public sealed interface KbRegistration {
    /** The KB is registered (new, or an existing one changed). */
    record Registered(KbConfig kb) implements KbRegistration {}

    /** Nothing stored: {@code count} KBs of the scope are registered already, the quota's maximum or more. */
    record OverQuota(long count, int max) implements KbRegistration {}
}
