package dev.kbsync.coordinator.lease;

/** A lease request's life: waiting in the KB queue, granted (holds the lock), then released or expired. */
public enum LeaseState {
    WAITING,
    GRANTED,
    RELEASED,
    EXPIRED;

    public String wire() {
        return name().toLowerCase();
    }
}
