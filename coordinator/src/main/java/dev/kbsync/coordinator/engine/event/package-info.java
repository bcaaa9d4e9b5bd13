/**
 * Events and fan-out: queue changes announced to the other coordinators (Redis pub/sub) and turned into local
 * event-bus messages for the KBs someone watches; queue snapshots.
 */
package dev.kbsync.coordinator.engine.event;
