/**
 * Vert.x helpers shared by the coordinator, the worker and the bench: building HTTP client chains on a Vert.x
 * context, and deadlines on futures.
 */
package dev.kbsync.vertx;
