/**
 * The job cycle: under the local KB lock, reset the checkout to the remote, check exactly-once, apply, commit with
 * {@code Kbsync-Job}/{@code Kbsync-Fence} trailers, push (never forced) with bounded retries, report.
 */
package dev.kbsync.worker.run;
