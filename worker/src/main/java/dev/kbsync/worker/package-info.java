/** The worker: runs jobs under a KB lease (pull, apply, commit, push, release). */
package dev.kbsync.worker;
