/**
 * Library mode for bots that keep the original's in-process shape: open a session on a KB (distributed lease through
 * the coordinator's raw lease API when reachable, the local lock always), write files, commit and push through the
 * same publish cycle as the job runner.
 */
package dev.kbsync.worker.library;
