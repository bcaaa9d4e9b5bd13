/** Every coordinator's periodic pass: dead waiters leave, overdue grants end, driverless KBs are claimed. */
package dev.kbsync.coordinator.engine.sweep;
