package dev.kbsync.coordinator.engine.event;

import dev.kbsync.api.Job;
import dev.kbsync.api.Lease;
import dev.kbsync.api.event.JobEvent;
import dev.kbsync.api.event.LeaseEvent;

/** What changed about a ticket: which event it gets. */
enum Change {
    POSITION,
    STATE;

    JobEvent of(Job job) {
        return this == POSITION ? new JobEvent.Position(job) : new JobEvent.State(job);
    }

    LeaseEvent of(Lease lease) {
        return this == POSITION ? new LeaseEvent.Position(lease) : new LeaseEvent.State(lease);
    }
}
