package dev.kbsync.coordinator.engine.event;

import dev.kbsync.coordinator.engine.eta.Eta;

/**
 * What a ticket's last event said: its place, its state, and for a job its id and estimated wait ({@code eta} null:
 * not known, as for what a stream was first told, so a change of the estimate alone is no news).
 */
record Seen(long ahead, String state, String jobId, Eta eta) {
    /** Whether a ticket now {@code current} moved since this: its place, or its estimate where this knows one. */
    boolean movedTo(Seen current) {
        return ahead != current.ahead() || (eta != null && !eta.equals(current.eta()));
    }
}
