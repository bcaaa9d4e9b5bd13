/** Raw leases over the KB tickets, and ending grants that did not complete normally. */
package dev.kbsync.coordinator.engine.lease;
