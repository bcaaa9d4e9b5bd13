/** The coordinator: fair lock per KB over Redisson, leases with fencing tokens, durable jobs, HTTP API. */
package dev.kbsync.coordinator;
