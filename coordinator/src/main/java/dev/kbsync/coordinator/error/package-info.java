/** Expected failures of coordinator services, each with a stable code that the HTTP layer maps to a status. */
package dev.kbsync.coordinator.error;
