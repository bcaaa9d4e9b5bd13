/**
 * The typed event protocol: what the coordinator's event streams carry (job and lease position and state, queue
 * snapshots, a KB's removal), as sealed records with one SSE encoding
 * ({@link dev.kbsync.api.event.KbsyncEvent#frame()}) and one decoding per stream kind.
 */
package dev.kbsync.api.event;
