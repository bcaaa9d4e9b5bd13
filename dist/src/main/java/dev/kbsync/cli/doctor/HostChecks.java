package dev.kbsync.cli.doctor;

import dev.kbsync.worker.apply.AgentCommand;
import dev.kbsync.worker.apply.AgentProgram;
import dev.kbsync.worker.process.WorkerConfig;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** What the worker needs from this machine: its agent programs, and room in its cache directory. */
final class HostChecks {
    /** Below this much free space (or twice {@code cache.minFreeMegabytes}, whichever is more) the check warns. */
    static final long WARN_BYTES = 1L << 30;

    private static final String DISK = "cache dir disk space";

    private HostChecks() {}

    /** {@code agent.command} (or {@code note.agent.command}): a program this host can run. */
    static Check agent(String name, String key, Optional<AgentCommand> agent, Map<String, String> env) {
        if (agent.isEmpty()) {
            return Check.skip(name, key + " is not set");
        }
        String program = agent.get().argv().get(0);
        return AgentProgram.find(program, env.getOrDefault("PATH", ""))
                .map(path -> Check.pass(name, path.toString()))
                .orElseGet(() -> Check.fail(
                        name,
                        program + (program.contains("/") ? " is not an executable file" : " is not on PATH") + "; fix "
                                + key));
    }

    /** Free space where the checkouts live ({@code cache.dir}, or its nearest existing parent). */
    static Check cacheDisk(WorkerConfig worker) {
        String name = DISK;
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
            return cacheDisk(dir, store.getUsableSpace(), store.getTotalSpace(), worker.cacheMinFreeMegabytes());
        } catch (IOException e) {
            return Check.fail(name, dir + ": " + e.getMessage());
        }
    }

    /**
     * {@code free} bytes of {@code total} in {@code dir}, judged as the worker does: it fails below
     * {@code cache.minFreeMegabytes} (where the worker takes no jobs; 0: off, never a failure for space), and warns
     * below {@link #WARN_BYTES} or twice that minimum, whichever is more.
     */
    static Check cacheDisk(Path dir, long free, long total, int minFreeMegabytes) {
        long min = (long) minFreeMegabytes << 20;
        long warnBelow = Math.max(WARN_BYTES, 2 * min);
        String seen = dir + ": " + human(free) + " free of " + human(total);
        if (free < min) {
            return Check.fail(
                    DISK,
                    seen + ", below cache.minFreeMegabytes (" + minFreeMegabytes
                            + " MB): the worker takes no jobs until space is freed");
        }
        if (free < warnBelow) {
            return Check.warn(
                    DISK,
                    seen + "; less than " + human(warnBelow)
                            + (min > 0
                                    ? ", near cache.minFreeMegabytes (" + minFreeMegabytes
                                            + " MB), below which the worker takes no jobs"
                                    : " (cache.minFreeMegabytes is 0: jobs fail DISK_FULL when it is full)"));
        }
        return Check.pass(DISK, seen);
    }

    private static String human(long bytes) {
        return bytes >= 1L << 30
                ? String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%d MB", bytes >> 20);
    }
}
