/** The embedded stack behind {@code kbsync up} and {@code kbsync demo}: Redis, coordinator, workers, demo KB. */
package dev.kbsync.cli.stack;
