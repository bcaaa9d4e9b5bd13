/**
 * The coordinator's services as the HTTP layer sees them (jobs, leases, queues, the KB registry) and the local
 * event-bus contract of queue events; implemented by the engine.
 */
package dev.kbsync.coordinator.service;
