package dev.kbsync.coordinator.service;

/** A lease kept alive until this is closed (what an open event stream holds): see {@link LeaseService#keepAlive}. */
@FunctionalInterface
public interface KeepAlive extends AutoCloseable {
    /** Keeps nothing alive. */
    KeepAlive NONE = () -> {};

    /** Stops keeping the lease alive (for this holder: another open stream of the same lease still does). */
    @Override
    void close();
}
