/**
 * The configuration mechanism of the coordinator and the worker: each has a key table (an enum of {@link
 * dev.kbsync.config.Key}) read from YAML and {@code KBSYNC_*} environment variables by {@link
 * dev.kbsync.config.KeyTable}, turned into a validated record by its own loader, and documented by a page generated
 * with {@link dev.kbsync.config.ConfigPage}.
 */
package dev.kbsync.config;
