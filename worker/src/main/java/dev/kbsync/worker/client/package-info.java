/** HTTP client of the coordinator's worker protocol (poll, heartbeat, result) with failure classification. */
package dev.kbsync.worker.client;
