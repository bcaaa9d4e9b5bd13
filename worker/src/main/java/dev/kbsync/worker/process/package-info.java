/**
 * The worker process: validated config (its key table read by the shared {@code dev.kbsync.config} mechanism), poll
 * slots on a dedicated pool, /healthz and /metrics, graceful shutdown.
 */
package dev.kbsync.worker.process;
