/**
 * Grants and tickets: the per-KB queue operations (enqueue, grant, claim, heartbeat, extend, release, sweep), each one
 * atomic script call, and their replies decoded into typed records.
 */
package dev.kbsync.coordinator.engine.ticket;
