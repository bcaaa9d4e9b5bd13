/** Finding and running a real {@code redis-server} process: for {@code kbsync up} and for tests. */
package dev.kbsync.redis;
