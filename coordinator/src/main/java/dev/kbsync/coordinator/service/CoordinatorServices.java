package dev.kbsync.coordinator.service;

/** The services one coordinator instance offers; the HTTP layer only talks to these. */
public record CoordinatorServices(
        LeaseService leases, JobService jobs, QueueService queues, KbRegistry kbs, WorkerRegistry workers) {}
