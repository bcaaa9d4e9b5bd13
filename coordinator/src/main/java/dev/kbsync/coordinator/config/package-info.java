/**
 * Coordinator configuration: every key defined once in {@link dev.kbsync.coordinator.config.ConfigKey}, read from YAML
 * and environment by the shared {@code dev.kbsync.config} mechanism, validated into records.
 */
package dev.kbsync.coordinator.config;
