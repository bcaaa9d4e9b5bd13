package dev.kbsync.worker.run;

/** Hears what publish cycles meet: each cycle's {@link CycleStats} when it ends, and each try of an unreachable remote. */
@FunctionalInterface
public interface CycleObserver {
    /** A cycle ended (published, failed or stopped). */
    void ended(CycleStats stats);

    /** A try found the KB's remote unreachable for now (told at once, while the cycle waits for it). */
    default void remoteUnavailable() {}
}
