/** The registry of KBs the coordinator serves: id, git remote and branch. */
package dev.kbsync.coordinator.kb;
