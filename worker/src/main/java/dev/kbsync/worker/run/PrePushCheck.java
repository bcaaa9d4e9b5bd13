package dev.kbsync.worker.run;

/**
 * A unit's pre-push check, started ahead of the push ({@link WorkUnit#startCheckBeforePush()}) so that its round trip
 * to the coordinator overlaps the last commit.
 */
@FunctionalInterface
public interface PrePushCheck {
    /** Waits for the check; throws as {@link WorkUnit#checkBeforePush()} would if the unit must not be pushed. */
    void await();
}
