/** The engine's Redis access: Redisson bridged onto the engine's Vert.x context, the Lua scripts and the per-KB key layout. */
package dev.kbsync.coordinator.engine.redis;
