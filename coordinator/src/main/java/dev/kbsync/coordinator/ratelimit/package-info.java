/** Submission rate limits per user, per KB and per token: sliding windows in Redis, shared by every coordinator. */
package dev.kbsync.coordinator.ratelimit;
