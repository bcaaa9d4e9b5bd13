package dev.kbsync.cli.doctor;

import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.process.WorkerConfig;
import java.io.File;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What the worker needs from this machine: its agent programs, and room in its cache directory. */
final class HostChecks {
    static final long WARN_BYTES = 1L << 30;
    static final long FAIL_BYTES = 100L << 20;

    private HostChecks() {}

    /** {@code agent.command} (or {@code note.agent.command}): a program this host can run. */
    static Check agent(String name, String key, Optional<AgentCommand> agent, Map<String, String> env) {
        if (agent.isEmpty()) {
            return Check.skip(name, key + " is not set");
        }
        String program = agent.get().argv().get(0);
        return executable(program, env.getOrDefault("PATH", ""))
                .map(path -> Check.pass(name, path.toString()))
                .orElseGet(() -> Check.fail(
                        name,
                        program + (program.contains("/") ? " is not an executable file" : " is not on PATH") + "; fix "
                                + key));
    }

    /** Free space where the checkouts live ({@code cache.dir}, or its nearest existing parent). */
    static Check cacheDisk(WorkerConfig worker) {
        String name = "cache dir disk space";
        Path dir = worker.cacheDir().toAbsolutePath().normalize();
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing) || !Files.isWritable(existing)) {
            return Check.fail(name, dir + " cannot be created or written; fix cache.dir");
        }
        try {
            FileStore store = Files.getFileStore(existing);
            long free = store.getUsableSpace();
            String seen = dir + ": " + human(free) + " free of " + human(store.getTotalSpace());
            if (free < FAIL_BYTES) {
                return Check.fail(name, seen + "; clones and pushes will fail");
            }
            return free < WARN_BYTES ? Check.warn(name, seen + "; less than 1 GB") : Check.pass(name, seen);
        } catch (IOException e) {
            return Check.fail(name, dir + ": " + e.getMessage());
        }
    }

    private static Optional<Path> executable(String program, String pathVariable) {
        if (program.contains("/")) {
            Path path = Path.of(program).toAbsolutePath();
            return Files.isRegularFile(path) && Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        for (String dir : pathVariable.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static String human(long bytes) {
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MB", bytes >> 20);
    }
}
