package dev.kbsync.worker.apply;

import java.time.Duration;
import java.util.List;

/**
 * The operator's agent: an argv list run without a shell, the task on stdin, killed (with its children) after {@code
 * timeout}. {@code credentialPrefix}: the worker's {@code credentials.envPrefix} (empty: none), whose variables hold KB
 * credentials and never reach the agent.
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
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("agent timeout must be positive, got " + timeout);
        }
    }
}
