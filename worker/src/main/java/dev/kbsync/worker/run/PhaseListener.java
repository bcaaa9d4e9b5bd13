package dev.kbsync.worker.run;

/** Observes (and may pause, by blocking) a cycle at each {@link Phase}; called on the cycle's worker thread. */
@FunctionalInterface
public interface PhaseListener {
    PhaseListener NONE = (phase, unitId) -> {};

    /** {@code unitId} is the job id (or the library session's operation id). */
    void reached(Phase phase, String unitId);
}
