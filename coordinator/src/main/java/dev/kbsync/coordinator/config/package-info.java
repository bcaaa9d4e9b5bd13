/** Coordinator configuration: every key defined once in {@link dev.kbsync.coordinator.config.ConfigKey}, loaded from YAML and environment, validated into records. */
package dev.kbsync.coordinator.config;
