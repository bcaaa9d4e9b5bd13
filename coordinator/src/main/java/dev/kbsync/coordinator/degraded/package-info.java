/**
 * Degraded mode: while Redis is unreachable a coordinator keeps accepting notes and agent tasks into a local,
 * append-only {@link dev.kbsync.coordinator.degraded.Journal} (fsynced before the 202) and hands them to its own
 * workers per KB in order under local fencing tokens; {@link dev.kbsync.coordinator.degraded.DegradedMode} raises each
 * KB's Redis fence above those tokens and moves the jobs into the Redis queues in their order when Redis returns
 * (exactly once: each under the id its 202 named, done if a local run landed it), truncating the journal only after.
 */
package dev.kbsync.coordinator.degraded;
