/** Wires the Redis-backed services (leases, jobs, queues, KB registry) for one coordinator instance. */
package dev.kbsync.coordinator.engine;
