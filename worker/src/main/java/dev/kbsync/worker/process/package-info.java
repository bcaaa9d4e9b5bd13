/** The worker process: validated config (env + YAML), poll slots on a dedicated pool, /healthz and /metrics, graceful shutdown. */
package dev.kbsync.worker.process;
