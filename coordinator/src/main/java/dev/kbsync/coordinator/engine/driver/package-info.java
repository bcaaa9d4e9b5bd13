/**
 * The Redisson driver: per KB, one coordinator holds the driver key and grants the head ticket when an enqueue or
 * release step could not (the KB's RFairLock was busy), waiting on the lock with {@code lockAsync} for that ticket only.
 */
package dev.kbsync.coordinator.engine.driver;
