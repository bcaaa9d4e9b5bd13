/** Benchmarks of kbsync next to their anchors (raw Redisson, Curator, git CLI), written to docs/benchmarks.md. */
package dev.kbsync.bench;
