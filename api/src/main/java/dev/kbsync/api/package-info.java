/**
 * The HTTP API v1 as Java records, one definition each with its JSON codec: KB ids and configs, jobs, leases,
 * assignments, queue snapshots, request bodies, outcomes and error bodies; the commit trailer names.
 */
package dev.kbsync.api;
