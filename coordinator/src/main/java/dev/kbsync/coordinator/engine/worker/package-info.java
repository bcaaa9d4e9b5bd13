/** Worker presence records in Redis (one hash slot, {@code {workers}}): renewal, expiry, bounds, listing. */
package dev.kbsync.coordinator.engine.worker;
