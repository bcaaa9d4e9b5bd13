/** HTTPS for the coordinator: the PEM certificate and key, served from start and replaced when the files change. */
package dev.kbsync.coordinator.tls;
