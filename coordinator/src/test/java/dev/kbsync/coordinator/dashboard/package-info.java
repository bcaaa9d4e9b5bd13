/** Browser tests of the live dashboard served at {@code /}. */
package dev.kbsync.coordinator.dashboard;
