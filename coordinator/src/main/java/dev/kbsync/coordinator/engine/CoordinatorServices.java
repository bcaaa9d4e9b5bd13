package dev.kbsync.coordinator.engine;

import dev.kbsync.coordinator.job.JobService;
import dev.kbsync.coordinator.kb.KbRegistry;
import dev.kbsync.coordinator.lease.LeaseService;
import dev.kbsync.coordinator.queue.QueueService;

/** The services one coordinator instance offers; the HTTP layer only talks to these. */
public record CoordinatorServices(LeaseService leases, JobService jobs, QueueService queues, KbRegistry kbs) {}
