/**
 * The Java client of the coordinator's HTTP API v1: {@link dev.kbsync.api.client.KbsyncClient} (blocking) and
 * {@link dev.kbsync.api.client.AsyncKbsyncClient} (Vert.x futures), typed results (the {@code dev.kbsync.api}
 * records), typed event streams ({@code dev.kbsync.api.event}) and typed failures
 * ({@link dev.kbsync.api.client.KbsyncException}). Used by the worker, the CLI and the bench, and by bots directly.
 */
package dev.kbsync.api.client;
