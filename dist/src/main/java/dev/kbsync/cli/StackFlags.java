package dev.kbsync.cli;

import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.redis.Fsync;
import dev.kbsync.worker.apply.AgentProgram;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** Flags shared by {@code up} and {@code demo}. */
final class StackFlags {
    static final String DEFAULT_DATA_DIR = ".kbsync";

    @Option(
            names = "--data-dir",
            description = "Where the embedded stack keeps its files (default: ${DEFAULT-VALUE}; the demo's default: a"
                    + " temporary directory, removed after a passing run or a failed start).",
            defaultValue = DEFAULT_DATA_DIR)
    Path dataDir;

    @Option(names = "--redis", description = "Join this Redis (redis://host:port) instead of starting an embedded one.")
    String redis;

    @Option(names = "--workers", description = "In-process workers (default: ${DEFAULT-VALUE}).", defaultValue = "2")
    int workers;

    @Option(
            names = "--redis-fsync",
            description = "When the embedded Redis fsyncs its append-only file: always (before every answer, so"
                    + " a 202 is on disk) or everysec (faster; a machine crash loses up to ~2 s)."
                    + " Env KBSYNC_REDIS_FSYNC. Default: ${DEFAULT-VALUE}.",
            defaultValue = "${env:KBSYNC_REDIS_FSYNC:-always}")
    Fsync redisFsync;

    @Option(
            names = "--agent",
            description = "The command the in-process workers run for agent tasks (an argv, whitespace-separated,"
                    + " run without a shell, the task on stdin). Env KBSYNC_AGENT_COMMAND. Unset: the workers take"
                    + " notes only, and agent tasks are refused (409 NO_AGENT_WORKER).",
            defaultValue = "${env:KBSYNC_AGENT_COMMAND:-}")
    String agent;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /** Whether {@code --data-dir} was given (its default's name included), rather than left to its default. */
    boolean dataDirGiven() {
        return command.commandLine().getParseResult().hasMatchedOption("--data-dir");
    }

    /**
     * The options; a value out of range, or an agent the workers could not run, is a usage error (exit 2), reported
     * like picocli's own.
     */
    StackOptions options(int port) {
        try {
            StackOptions options = new StackOptions(
                    dataDir, Optional.ofNullable(redis), redisFsync, port, workers, Optional.ofNullable(agent));
            options.agentCommand().ifPresent(StackFlags::runnable);
            return options;
        } catch (IllegalArgumentException e) {
            throw new ParameterException(command.commandLine(), e.getMessage(), e);
        }
    }

    /** An agent whose program cannot be run: every agent task would fail when it runs. */
    private static void runnable(String agent) {
        AgentProgram.problem(agent.strip().split("\\s+")[0], System.getenv("PATH"))
                .ifPresent(problem -> {
                    throw new IllegalArgumentException("--agent (or KBSYNC_AGENT_COMMAND): " + problem);
                });
    }
}
