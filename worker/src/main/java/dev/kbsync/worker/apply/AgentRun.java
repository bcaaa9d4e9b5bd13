package dev.kbsync.worker.apply;

/**
 * How one agent process ended. {@code output} is the tail of what it said for a failure message (its stderr, or its
 * stdout when stderr is empty); {@code answer} is its stdout from the start, cleaned and capped (see
 * {@link AgentAnswer}).
 */
sealed interface AgentRun {
    record Exited(int code, String output, String answer) implements AgentRun {}

    record TimedOut(String output) implements AgentRun {}

    record NotStarted(String reason) implements AgentRun {}

    /** Killed (with its process tree) because its stdout and stderr together outgrew {@code limit} bytes. */
    record TooLoud(long limit, String output) implements AgentRun {}

    /** Killed (with its process tree) because the unit was told to stop. */
    record Stopped(StopSignal.Stop stop, String output) implements AgentRun {}
}
