package dev.kbsync.cli;

import dev.kbsync.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code kbsync up} (or another main class of the test class path) in a child JVM: stdout to {@code <name>.out},
 * stderr to {@code <name>.log} under {@code logs}. {@link #close()} kills it and its process tree if still alive.
 */
final class UpProcess implements AutoCloseable {
    /**
     * How long a test waits for a child to start (or to refuse to): about 3 s alone, but 30 s were not enough three
     * times with the suite's other modules on the same 2 cores (once the child had printed nothing yet). A wait, not a
     * bound a test asserts.
     */
    static final Duration START = Duration.ofSeconds(90);

    private static final Pattern COORDINATOR = Pattern.compile("coordinator: (http://127\\.0\\.0\\.1:\\d+)");

    private final Process process;
    private final Path out;
    private final Path err;

    private UpProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** {@code kbsync up --port 0 --data-dir <data>} with {@code extraArgs}. */
    static UpProcess up(Path data, Path logs, String name, String... extraArgs) {
        List<String> args =
                new ArrayList<>(List.of("up", "--port", "0", "--workers", "2", "--data-dir", data.toString()));
        args.addAll(List.of(extraArgs));
        return spawn(KbsyncCli.class, logs, name, args);
    }

    static UpProcess spawn(Class<?> main, Path logs, String name, List<String> args) {
        return spawn(main, logs, name, args, Map.of());
    }

    /** {@link #spawn(Class, Path, String, List)} with {@code env} added to this JVM's environment. */
    static UpProcess spawn(Class<?> main, Path logs, String name, List<String> args, Map<String, String> env) {
        return spawn(main, logs, name, args, env, List.of(), null);
    }

    /**
     * {@link #spawn(Class, Path, String, List, Map)} with JVM {@code options} (e.g. {@code -Djava.io.tmpdir=...}) and,
     * unless null, {@code workDir} as its working directory.
     */
    static UpProcess spawn(
            Class<?> main,
            Path logs,
            String name,
            List<String> args,
            Map<String, String> env,
            List<String> options,
            Path workDir) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m"));
        jvm.addAll(options);
        List<String> command = ChildJvm.command(jvm, main.getName(), args);
        try {
            Files.createDirectories(logs);
            Path out = logs.resolve(name + ".out");
            Path err = logs.resolve(name + ".log");
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().putAll(env);
            if (workDir != null) {
                builder.directory(workDir.toFile());
            }
            Process process = builder.start();
            return new UpProcess(process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The coordinator's URL from the banner, once it is printed. */
    URI awaitUp(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = COORDINATOR.matcher(output());
            if (m.find()) {
                return URI.create(m.group(1));
            }
            if (!process.isAlive()) {
                throw new AssertionError("kbsync exited with " + process.exitValue() + " before it was up:\n" + output()
                        + "\n" + errors());
            }
            Thread.sleep(50);
        }
        throw new AssertionError("kbsync was not up within " + timeout + ":\n" + output() + "\n" + errors());
    }

    String output() {
        return read(out);
    }

    String errors() {
        return read(err);
    }

    long pid() {
        return process.pid();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Every process below this JVM (the embedded redis-server and its watchdog). */
    List<ProcessHandle> descendants() {
        return process.descendants().toList();
    }

    void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .start()
                .waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " exited " + exit);
        }
    }

    /**
     * Whether this JVM was started with SIGINT ignored (a background job of a non-interactive shell): its children
     * inherit that, and a JVM started so never runs its shutdown hooks on SIGINT.
     */
    static boolean sigintIgnoredHere() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0;
            }
        }
        return false;
    }

    /** Waits for the JVM to exit; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("kbsync did not exit within " + timeout + ":\n" + output() + "\n" + errors());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
