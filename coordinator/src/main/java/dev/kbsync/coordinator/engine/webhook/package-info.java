/**
 * Webhook deliveries: a job with a callback URL that reaches a terminal state is due for delivery (in the same script
 * step); every coordinator's sweep claims due deliveries under a delivery lease and POSTs the job, signed.
 */
package dev.kbsync.coordinator.engine.webhook;
