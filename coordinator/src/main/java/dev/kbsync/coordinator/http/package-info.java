/** The HTTP API v1 over Vert.x Web: routes, strict JSON input checks, error mapping, Server-Sent Events, dashboard. */
package dev.kbsync.coordinator.http;
