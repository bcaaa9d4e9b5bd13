/**
 * Whether Redis answers: {@link dev.kbsync.coordinator.health.RedisHealth} probes it, so every route that needs it
 * answers 503 REDIS_UNAVAILABLE at once while it does not, readiness and the metrics show it, and the degraded mode
 * switches on and off with it.
 */
package dev.kbsync.coordinator.health;
