package dev.kbsync.worker.apply;

import dev.kbsync.git.Secrets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the agent without a shell in a work directory, input from a file on stdin, stdout and stderr to files (no pipes
 * to drain), secrets removed from its environment. On timeout the whole process tree is killed. Its stdout is its
 * answer ({@link AgentAnswer}); stderr (or stdout) explains a failure.
 *
 * <p>The scrub keeps secrets out of what the agent is handed (its environment and argv; the task comes on stdin), not
 * out of its reach: it runs as the worker's user, so it can still read the worker's {@code /proc/<pid>/environ} and
 * config file. Keeping secrets from an untrusted agent takes another user or a sandbox around the agent command.
 */
final class AgentProcess {
    private static final Logger log = LoggerFactory.getLogger(AgentProcess.class);
    private static final int OUTPUT_TAIL = 2_000;
    /**
     * What a running agent may write to its stdout and stderr together (temp files) before it is killed: a runaway one
     * ({@code yes}) would otherwise fill the worker's temp disk within its timeout.
     */
    static final long OUTPUT_LIMIT = 64L * 1024 * 1024;

    private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /**
     * How often the agent's descendants are listed while it runs (a walk of every process on the host, so not at every
     * watch): what it leaves running when it exits is killed then, not left behind on the worker.
     */
    private static final long DESCENDANTS_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private static final List<String> SECRET_MARKS = List.of("TOKEN", "SECRET", "PASSWORD");

    /** util-linux's {@code setsid}, when this host has it in a standard place (Debian, Ubuntu, RHEL, Alpine). */
    private static final Optional<Path> SETSID = Stream.of("/usr/bin/setsid", "/bin/setsid")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst();

    private AgentProcess() {}

    static AgentRun run(AgentCommand command, Path workDir, String input, Path ioDir) {
        return run(command, workDir, input, ioDir, System.getenv(), StopSignal.never());
    }

    /** As {@link #run(AgentCommand, Path, String, Path)}, killed (process tree) as soon as {@code stop} fires. */
    static AgentRun run(AgentCommand command, Path workDir, String input, Path ioDir, StopSignal stop) {
        return run(command, workDir, input, ioDir, System.getenv(), stop);
    }

    static AgentRun run(AgentCommand command, Path workDir, String input, Path ioDir, Map<String, String> parentEnv) {
        return run(command, workDir, input, ioDir, parentEnv, StopSignal.never());
    }

    /**
     * As {@link #run(AgentCommand, Path, String, Path)} with {@code parentEnv} standing in for the worker's own
     * environment (Java cannot change its own, so tests pass a map); the agent gets it minus every variable whose name
     * contains TOKEN, SECRET or PASSWORD in any letter case or starts with the command's credential prefix, or whose
     * value holds a secret the worker used. Checks {@code stop} every 50 ms.
     */
    static AgentRun run(
            AgentCommand command,
            Path workDir,
            String input,
            Path ioDir,
            Map<String, String> parentEnv,
            StopSignal stop) {
        try {
            Path in = Files.writeString(ioDir.resolve("agent-input.txt"), input, StandardCharsets.UTF_8);
            Path out = ioDir.resolve("agent-output.txt");
            Path err = ioDir.resolve("agent-errors.txt");
            if (AgentProgram.find(command.argv().get(0), System.getenv("PATH")).isEmpty()) {
                return new AgentRun.NotStarted(
                        "agent command could not be started: " + command.argv().get(0) + " is not there");
            }
            ProcessBuilder builder = new ProcessBuilder(inSessionOfItsOwn(command.argv()))
                    .directory(workDir.toFile())
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            Map<String, String> env = builder.environment();
            env.clear();
            env.putAll(parentEnv);
            scrub(env, command.credentialPrefix());
            if (stop.stopped().isPresent()) {
                return new AgentRun.Stopped(stop.stopped().get(), "");
            }
            Process process = start(builder);
            if (process == null) {
                return new AgentRun.NotStarted(
                        "agent command could not be started: " + command.argv().get(0));
            }
            long end = System.nanoTime() + command.timeout().toNanos();
            Set<ProcessHandle> seen = new HashSet<>();
            long listedAt = System.nanoTime();
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    killTree(process, "timed out");
                    return new AgentRun.TimedOut(said(out, err));
                }
                if (process.waitFor(Math.min(left, WATCH_NANOS), TimeUnit.NANOSECONDS)) {
                    killLeftBehind(process, seen);
                    return new AgentRun.Exited(process.exitValue(), said(out, err), AgentAnswer.read(out));
                }
                if (System.nanoTime() - listedAt >= DESCENDANTS_EVERY_NANOS) {
                    listedAt = System.nanoTime();
                    process.descendants().forEach(seen::add);
                }
                if (size(out) + size(err) > OUTPUT_LIMIT) {
                    killTree(process, "wrote more than " + OUTPUT_LIMIT + " bytes");
                    return new AgentRun.TooLoud(OUTPUT_LIMIT, said(out, err));
                }
                if (stop.stopped().isPresent()) {
                    killTree(process, "stopped (" + stop.stopped().get().code() + ")");
                    return new AgentRun.Stopped(stop.stopped().get(), said(out, err));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("agent i/o failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the agent ran", e);
        }
    }

    /**
     * {@code argv} under {@code setsid} when this host has it: the agent leads a session and process group of its own,
     * so a signal to the worker's whole group (the terminal's Ctrl-C under {@code kbsync up}, {@code kill -- -pgid})
     * reaches only the worker, whose stop then decides the agent's fate (finish within the grace, or be killed and
     * the job given back {@code WORKER_SHUTDOWN}). {@code setsid} execs the program in its own place (a child of the
     * JVM never leads a process group, so it does not fork): the {@link Process} is the agent.
     */
    private static List<String> inSessionOfItsOwn(List<String> argv) {
        if (SETSID.isEmpty()) {
            return argv;
        }
        List<String> wrapped = new ArrayList<>(argv.size() + 1);
        wrapped.add(SETSID.get().toString());
        wrapped.addAll(argv);
        return wrapped;
    }

    private static Process start(ProcessBuilder builder) {
        try {
            return builder.start();
        } catch (IOException e) {
            log.warn(
                    "agent command {} could not be started: {}",
                    builder.command().get(0),
                    e.getMessage());
            return null;
        }
    }

    /**
     * Kills what the agent, exited, left running: its descendants seen while it ran (re-parented once it exited; a
     * handle is never another process that took the same pid) and those still under it.
     */
    private static void killLeftBehind(Process process, Set<ProcessHandle> seen) {
        process.descendants().forEach(seen::add);
        List<ProcessHandle> alive = seen.stream().filter(ProcessHandle::isAlive).toList();
        if (!alive.isEmpty()) {
            alive.forEach(ProcessHandle::destroyForcibly);
            log.warn("agent pid {} exited leaving {} process(es) running; killed them", process.pid(), alive.size());
        }
    }

    /** Kills the descendants first (collected before the parent dies and they are re-parented), then the agent. */
    static void killTree(Process process, String why) throws InterruptedException {
        List<ProcessHandle> descendants = process.descendants().toList();
        descendants.forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        // a child forked between the listing and the kill: take the re-parented stragglers we can still see
        descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        log.warn("agent pid {} {}; killed it and {} descendants", process.pid(), why, descendants.size());
    }

    /**
     * Removes every variable whose name says it holds a secret, every one named with {@code credentialPrefix} (where
     * KB credentials live, used yet or not), and every one whose value holds a secret the worker used (a KB
     * credential's variable may have any name: {@code credentials: {env: TEAM_A_PAT}}).
     */
    private static void scrub(Map<String, String> env, String credentialPrefix) {
        env.entrySet()
                .removeIf(variable -> SECRET_MARKS.stream()
                                .anyMatch(mark -> variable.getKey()
                                        .toUpperCase(Locale.ROOT)
                                        .contains(mark))
                        || !credentialPrefix.isEmpty() && variable.getKey().startsWith(credentialPrefix)
                        || Secrets.holdsSecret(variable.getValue()));
    }

    /** The tail of stderr, or of stdout when stderr is empty. */
    private static String said(Path out, Path err) throws IOException {
        String errors = tail(err);
        return errors.isBlank() ? tail(out) : errors;
    }

    /** The last {@link #OUTPUT_TAIL} characters, read from the file's end: the file may be as large as the limit. */
    private static String tail(Path out) throws IOException {
        if (!Files.exists(out)) {
            return "";
        }
        try (SeekableByteChannel channel = Files.newByteChannel(out)) {
            long size = channel.size();
            int want = (int) Math.min(size, OUTPUT_TAIL * 4L); // 4 bytes at most per character in UTF-8
            ByteBuffer bytes = ByteBuffer.allocate(want);
            channel.position(size - want);
            while (bytes.hasRemaining() && channel.read(bytes) >= 0) {
                // read on
            }
            String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.UTF_8);
            return text.length() <= OUTPUT_TAIL ? text : text.substring(text.length() - OUTPUT_TAIL);
        }
    }

    private static long size(Path file) throws IOException {
        return Files.exists(file) ? Files.size(file) : 0;
    }
}
