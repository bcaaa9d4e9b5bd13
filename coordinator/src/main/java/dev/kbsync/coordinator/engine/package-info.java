/**
 * One coordinator instance over Redis: {@link dev.kbsync.coordinator.engine.Engine} wires the Redis-backed services of
 * {@code dev.kbsync.coordinator.service}. Sub-packages by concern, internal to the engine: {@code redis} (scripts,
 * keys), {@code ticket} (grants and tickets), {@code store} (jobs, idempotency, KB registry), {@code driver} (the
 * Redisson fair-lock driver), {@code event} (pub/sub and local fan-out), {@code job}, {@code lease}, {@code sweep}.
 */
package dev.kbsync.coordinator.engine;
