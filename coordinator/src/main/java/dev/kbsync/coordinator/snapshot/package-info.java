/**
 * Read snapshots: a bare mirror of each KB's branch kept by the coordinator, refreshed when a job of the KB lands, on
 * a timer and on demand ({@code ?after=}), read through JGit's object database at one commit (no work tree, never the
 * KB's lock). Serves {@code GET /v1/kbs/{kb}/files/...}, {@code .../tree} and {@code .../log}.
 */
package dev.kbsync.coordinator.snapshot;
