/** Metrics the engine reports and the HTTP layer exposes in Prometheus format. */
package dev.kbsync.coordinator.metrics;
