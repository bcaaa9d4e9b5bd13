package dev.kbsync.coordinator.service;

/** What {@code DELETE /v1/kbs/{kb}} found: the KB removed, refused because it is in use, or unknown. */
public sealed interface KbRemoval {
    /** Removed; {@code kept} finished records stay readable for the job retention. */
    record Removed(int kept) implements KbRemoval {}

    /** Refused, nothing removed: {@code queued} tickets wait, {@code running} hold the KB (or its lock is held). */
    record Busy(int queued, int running) implements KbRemoval {}

    /** No KB of that id. */
    record Unknown() implements KbRemoval {}
}
