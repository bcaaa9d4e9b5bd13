/**
 * The worker's side of the coordinator's worker protocol: what it reports for each job, and how it retries calls
 * while the coordinator is unavailable. The HTTP client itself is kbsync-api's {@code KbsyncClient}, used blocking.
 */
package dev.kbsync.worker.client;
