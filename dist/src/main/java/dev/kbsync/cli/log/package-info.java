/**
 * Where the log lines of the commands for people ({@code up}, {@code demo}, {@code note}, {@code agent},
 * {@code queue}, {@code doctor}) go: a rolling file under the data directory, and the console only when asked
 * ({@code --verbose}, {@code KBSYNC_LOG}). The production commands keep the launcher's logback.xml: structured lines
 * on stderr.
 */
package dev.kbsync.cli.log;
