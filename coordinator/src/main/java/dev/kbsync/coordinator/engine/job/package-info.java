/** Durable jobs: submission, dispatch of granted jobs to polling workers, group commit, outcomes. */
package dev.kbsync.coordinator.engine.job;
