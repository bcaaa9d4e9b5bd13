/** Stored records outside the KB queues: idempotency keys and the KB registry. */
package dev.kbsync.coordinator.engine.store;
