/** A process's Prometheus registry, shared by its own meters, Vert.x's HTTP server metrics and the JVM binders. */
package dev.kbsync.metrics;
