package dev.kbsync.worker.run;

/** Points in a job's cycle that a {@link PhaseListener} observes, in order. */
public enum Phase {
    PULLED,
    APPLIED,
    COMMITTED,
    PUSHED,
    REPORTED
}
