package dev.kbsync.faults.cluster;

import dev.kbsync.testing.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A kbsync process in its own JVM on the test's classpath, with its settings in its environment and its output
 * appended to a log file. It can be killed (SIGKILL), frozen (SIGSTOP), thawed (SIGCONT) and started again with the
 * same settings, optionally with a shifted clock (libfaketime).
 */
public final class JvmProcess implements AutoCloseable {
    private static final String FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

    private final String name;
    private final String mainClass;
    private final Map<String, String> env;
    private final Path log;
    private Process process;

    private JvmProcess(String name, String mainClass, Map<String, String> env, Path log) {
        this.name = name;
        this.mainClass = mainClass;
        this.env = Map.copyOf(env);
        this.log = log;
    }

    /** Starts {@code mainClass} with {@code env} added to this JVM's environment. */
    public static JvmProcess start(String name, String mainClass, Map<String, String> env, Path log) {
        JvmProcess jvm = new JvmProcess(name, mainClass, env, log);
        jvm.launch(null);
        return jvm;
    }

    /** True when this machine can shift a process's clock (libfaketime is installed). */
    public static boolean canShiftClocks() {
        return Path.of(FAKETIME_LIB).toFile().canRead();
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, and waits until it is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGSTOP: every thread freezes, sockets stay open. */
    public void freeze() {
        signal("STOP");
    }

    /** SIGCONT after {@link #freeze()}. */
    public void thaw() {
        signal("CONT");
    }

    /** Kills it if alive and starts it again with the same settings and a true clock. */
    public void restart() {
        restart(null);
    }

    /**
     * Kills it if alive and starts it again with its clock shifted by {@code offset} (libfaketime's syntax, e.g.
     * {@code +30s}; monotonic clocks get the same constant offset, so durations are unchanged), or a true clock when null.
     */
    public void restart(String offset) {
        kill();
        launch(offset);
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            thaw();
            kill();
        }
    }

    private void launch(String clockOffset) {
        List<String> command = ChildJvm.command(List.of("-Xmx192m"), mainClass, List.of());
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        Map<String, String> environment = new HashMap<>(env);
        if (clockOffset != null) {
            environment.put("LD_PRELOAD", FAKETIME_LIB);
            environment.put("FAKETIME", clockOffset);
        }
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name, e);
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
            kill.waitFor(5, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " (pid " + (process == null ? "-" : process.pid()) + ")";
    }
}
