package dev.kbsync.worker.apply;

/** How one agent process ended. {@code output} is the tail of its combined stdout and stderr. */
sealed interface AgentRun {
    record Exited(int code, String output) implements AgentRun {}

    record TimedOut(String output) implements AgentRun {}

    record NotStarted(String reason) implements AgentRun {}

    /** Killed (with its process tree) because the unit was told to stop. */
    record Stopped(StopSignal.Stop stop, String output) implements AgentRun {}
}
