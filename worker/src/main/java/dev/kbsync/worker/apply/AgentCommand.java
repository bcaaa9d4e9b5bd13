package dev.kbsync.worker.apply;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's agent: an argv list run without a shell, the task on stdin, killed (with its children) after {@code
 * timeout}. {@code credentialPrefix}: the worker's {@code credentials.envPrefix} (empty: none), whose variables hold KB
 * credentials and never reach the agent. A program given as a relative path ({@code bin/agent}) is made absolute
 * against the worker's working directory, where the operator meant it (the agent runs in a scratch copy of the KB,
 * against which the system would resolve it).
 */
public record AgentCommand(List<String> argv, Duration timeout, String credentialPrefix) {
    public AgentCommand(List<String> argv, Duration timeout) {
        this(argv, timeout, "");
    }

    public AgentCommand {
        credentialPrefix = credentialPrefix == null ? "" : credentialPrefix;
        argv = List.copyOf(argv);
        if (argv.isEmpty() || argv.get(0).isBlank()) {
            throw new IllegalArgumentException("agent command must name a program");
        }
        argv = absoluteProgram(argv);
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("agent timeout must be positive, got " + timeout);
        }
    }

    private static List<String> absoluteProgram(List<String> argv) {
        String program = argv.get(0);
        if (!program.contains("/") || Path.of(program).isAbsolute()) {
            return argv;
        }
        List<String> absolute = new ArrayList<>(argv);
        absolute.set(0, Path.of(program).toAbsolutePath().normalize().toString());
        return List.copyOf(absolute);
    }
}
