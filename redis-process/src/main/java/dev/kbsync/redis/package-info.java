/**
 * Finding and running a real {@code redis-server} process that never outlives its JVM: plain ones for tests, and
 * the persistent one (append-only file in a data directory, one owning process at a time) behind {@code kbsync up}.
 */
package dev.kbsync.redis;
