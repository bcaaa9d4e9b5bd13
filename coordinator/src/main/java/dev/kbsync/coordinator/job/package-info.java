/** Durable jobs: submission, dispatch to workers once the KB lock is granted, results, retries. */
package dev.kbsync.coordinator.job;
