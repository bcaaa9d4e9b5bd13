package dev.kbsync.worker.run;

import java.time.Duration;

/**
 * What one publish cycle cost: its git time (syncs, trailer search, commits, pushes) and how many of its pushes were
 * rejected as non-fast-forward (the first one is, typically, when another worker pushed to the KB since this
 * checkout's last cycle); {@code behind}: the cycle began behind the remote, which another writer had moved since this
 * checkout's last cycle (its first sync fetched and fast-forwarded, or its first push was rejected). With worker
 * affinity a busy KB's cycles rarely begin behind.
 */
public record CycleStats(Duration gitTime, int pushRejections, boolean behind) {}
