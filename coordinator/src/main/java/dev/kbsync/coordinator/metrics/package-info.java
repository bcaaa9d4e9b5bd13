/**
 * The coordinator's meters: {@link dev.kbsync.coordinator.metrics.MetricsSink} is where the engine reports, {@link
 * dev.kbsync.coordinator.metrics.PrometheusMetrics} keeps the meters in the process's Prometheus registry.
 */
package dev.kbsync.coordinator.metrics;
