package dev.kbsync.worker.run;

import java.time.Duration;

/**
 * What one publish cycle cost: its git time (syncs, trailer search, commits, pushes) and how many of its pushes were
 * rejected as non-fast-forward (the first one is, typically, when another worker pushed to the KB since this
 * checkout's last cycle).
 */
public record CycleStats(Duration gitTime, int pushRejections) {}
