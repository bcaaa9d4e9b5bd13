/**
 * Git operations on one KB checkout over JGit: clone/open, pull, commit with trailers, push (never force), recovery,
 * credentials and secret masking, GitHub file links. Expected outcomes are sealed results; "could not run" is a
 * {@link dev.kbsync.git.GitException}.
 */
package dev.kbsync.git;
