/** Bearer-token authentication and role checks for the HTTP API; tokens are compared in constant time and never logged. */
package dev.kbsync.coordinator.auth;
