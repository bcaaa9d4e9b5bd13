package dev.kbsync.worker.apply;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The program an agent command names ({@code argv[0]}), as this host would run it: a path when it holds a {@code /}
 * (relative to the worker's working directory: {@link AgentCommand} makes it absolute), else a name looked up on
 * {@code PATH}. Checked at start, so a worker never takes agent tasks it would fail one by one.
 */
public final class AgentProgram {
    /** Where the JVM looks for a bare name when PATH is unset (as its process launcher does on Unix). */
    private static final String UNSET_PATH = ":/bin:/usr/bin";

    private AgentProgram() {}

    /** The executable file {@code program} names, on {@code pathVariable} for a bare name; empty if there is none. */
    public static Optional<Path> find(String program, String pathVariable) {
        if (program.contains("/")) {
            Path path = Path.of(program).toAbsolutePath();
            return runnable(path) ? Optional.of(path) : Optional.empty();
        }
        for (String dir : (pathVariable == null ? UNSET_PATH : pathVariable).split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (runnable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** What is wrong with {@code program} ("... is not an executable file", "... is not on PATH"), if anything. */
    public static Optional<String> problem(String program, String pathVariable) {
        if (find(program, pathVariable).isPresent()) {
            return Optional.empty();
        }
        return Optional.of(program + (program.contains("/") ? " is not an executable file" : " is not on PATH"));
    }

    private static boolean runnable(Path path) {
        return Files.isRegularFile(path) && Files.isExecutable(path);
    }
}
