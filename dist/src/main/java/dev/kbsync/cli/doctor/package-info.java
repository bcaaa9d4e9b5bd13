/**
 * {@code kbsync doctor}: the checks an operator would otherwise run by hand (Redis reachable and configured for
 * kbsync, the clock, the coordinator, each KB's remote with the worker's credentials, the agent, the cache disk),
 * each a {@link dev.kbsync.cli.doctor.Check} that passes, warns or fails.
 */
package dev.kbsync.cli.doctor;
