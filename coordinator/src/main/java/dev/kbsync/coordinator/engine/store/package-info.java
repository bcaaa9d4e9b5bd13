/** Stored records outside the queues: jobs, idempotency keys and the KB registry. */
package dev.kbsync.coordinator.engine.store;
