/** Per-user submission rate limit: a sliding window in Redis, shared by every coordinator. */
package dev.kbsync.coordinator.ratelimit;
