/**
 * One coordinator instance over Redis: {@link dev.kbsync.coordinator.engine.Engine} wires the Redis-backed lease, job,
 * queue and KB-registry services (package-private here). Per KB, tickets wait in a ZSET in grant order, one driver
 * coordinator acquires the KB's Redisson fair lock for the head ticket only, every change is a Lua script in the KB's
 * hash slot, and queue changes fan out through Redis pub/sub onto each coordinator's event bus.
 */
package dev.kbsync.coordinator.engine;
