package dev.kbsync.worker.process;

/**
 * One poll loop's place in the worker's {@link Presence}: its slot number is its position among the loops alive, so
 * the slots reported always run 1 to their count; when a loop ends, the newest loop takes its number.
 */
final class Seat {}
