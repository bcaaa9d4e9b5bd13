/** Leases: grants of a KB's fair lock with a fencing token, heartbeats, expiry and release. */
package dev.kbsync.coordinator.lease;
