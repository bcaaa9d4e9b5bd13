/** Queue views and events: holder and waiters per KB in grant order, published on the event bus. */
package dev.kbsync.coordinator.queue;
