/** Appliers turn a job into file changes in a KB checkout: notes written directly, agent tasks run in a scratch copy. */
package dev.kbsync.worker.apply;
