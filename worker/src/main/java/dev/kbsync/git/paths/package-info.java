/** Validation of every path kbsync writes inside a KB: stays inside the work tree, never inside {@code .git}. */
package dev.kbsync.git.paths;
