/**
 * Degraded mode: while Redis is unreachable a coordinator keeps accepting notes and agent tasks into a local,
 * append-only {@link dev.kbsync.coordinator.degraded.Journal} (fsynced before the 202), and {@link
 * dev.kbsync.coordinator.degraded.DegradedMode} moves them into the Redis queues in their order when Redis returns
 * (exactly once: each under the id its 202 named), truncating the journal only after.
 */
package dev.kbsync.coordinator.degraded;
