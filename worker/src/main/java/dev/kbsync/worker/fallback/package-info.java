/**
 * Local fallback: tracks whether the coordinator is reachable (coordinated vs degraded), logs the switch both ways,
 * and delivers job results with retries until the coordinator is back.
 */
package dev.kbsync.worker.fallback;
