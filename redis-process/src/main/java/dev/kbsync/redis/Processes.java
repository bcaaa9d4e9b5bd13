package dev.kbsync.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link RedisProcess}' operating-system side: starting a redis-server under the {@link Watchdog}, signals, waits. */
final class Processes {
    private Processes() {}

    /** Starts {@code binary} with {@code args} in {@code dir}, its output (stderr too) to {@code output}. */
    static Process start(Path binary, List<String> args, Path dir, Redirect output) {
        List<String> command = new ArrayList<>(List.of(binary.toString()));
        command.addAll(args);
        Process process;
        try {
            process = new ProcessBuilder(Watchdog.wrap(command))
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(output)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + binary, e);
        }
        Watchdog.releaseOnExit(process);
        return process;
    }

    /** Sends the signal {@code name} ({@code STOP}, {@code CONT}) to {@code process}. */
    static void signal(Process process, String name) {
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                    .start()
                    .waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits for {@code process} to exit (an interrupt ends the wait, the flag kept). */
    static void awaitExit(Process process) {
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
