package dev.kbsync.coordinator.engine.event;

import dev.kbsync.coordinator.engine.eta.Eta;

/**
 * What a ticket's last event said: its place, its state, and for a job its id and estimated wait ({@code eta} null:
 * not known, as for what a stream was first told, so a change of the estimate alone is no news); for a running job the
 * fencing token of the grant it ran under ({@code fence} null: not running, or not known).
 */
record Seen(long ahead, String state, String jobId, Eta eta, Long fence) {
    /** A ticket seen with no grant known. */
    Seen(long ahead, String state, String jobId, Eta eta) {
        this(ahead, state, jobId, eta, null);
    }

    /** Whether a ticket now {@code current} moved since this: its place, or its estimate where this knows one. */
    boolean movedTo(Seen current) {
        return ahead != current.ahead() || (eta != null && !eta.equals(current.eta()));
    }

    /**
     * Whether the job, running then and now, runs under another grant now: it went back to the queue and was claimed
     * again in between.
     */
    boolean regrantedIn(Seen current) {
        return fence != null && current.fence() != null && !fence.equals(current.fence());
    }
}
