package dev.kbsync.cli;

import dev.kbsync.cli.log.LogFlags;
import dev.kbsync.cli.log.LogSetup;
import dev.kbsync.cli.stack.DataDir;
import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.config.Check;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.process.StopSignals;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code kbsync up}: the embedded default, running until Ctrl-C. */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        header = "Run kbsync on one machine: embedded Redis, a coordinator, workers and a demo KB.",
        description = {
            "Run kbsync on one machine: an embedded Redis (unless --redis), a coordinator on 127.0.0.1,",
            "in-process workers and a 'demo' KB backed by a local bare repository. Ctrl-C stops everything.",
            "Everything is kept under --data-dir: started again there, kbsync resumes every accepted job."
        })
final class UpCommand implements Callable<Integer> {
    @Mixin
    StackFlags stack;

    @Option(names = "--port", description = "Coordinator HTTP port (default: ${DEFAULT-VALUE}).", defaultValue = "8080")
    int port;

    @Mixin
    LogFlags logs;

    @Override
    public Integer call() throws Exception {
        LogSetup.quiet(logs);
        StackOptions options = stack.options(port);
        StartFailure.portFree(port); // before anything is created: a refusal changes nothing
        EmbeddedStack claimed = EmbeddedStack.claim(options); // the settings read, then the directory taken
        Path logFile = logFile(claimed, logs);
        // Ctrl-C stops the stack before the JVM shuts down (the workers finish their cycles: see StopSignals), taken
        // from before the start: one during the start (a few seconds) stops the stack once started, else the JVM would
        // exit without a word, leaving the Redis to its watchdog and the coordinator's temporary directory behind. A
        // failed start stops what it started itself. The hook covers any other exit, and past the bound ends the JVM
        // with 124 itself (halt: the only way a hook can).
        StopSignals signals = StopSignals.install();
        EmbeddedStack running = claimed.boot();
        AtomicBoolean stopping = new AtomicBoolean();
        AtomicBoolean pastBound = new AtomicBoolean();
        Runnable stop = () -> {
            if (stopping.compareAndSet(false, true)) {
                System.out.println(System.lineSeparator() + "stopping kbsync (at most "
                        + running.stopBound().toSeconds() + " s) ...");
                pastBound.set(report(running.stop()));
            }
        };
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            if (stopping.get()) {
                                return; // the signal's stop: main exits with its status, the hooks run to the end
                            }
                            stop.run();
                            if (pastBound.get()) {
                                System.out.flush();
                                Runtime.getRuntime().halt(ExitCodes.STOP_PAST_BOUND);
                            }
                        },
                        "kbsync-up-shutdown"));
        if (!signals.requested()) {
            System.out.print(banner(running, logFile) + restart(running));
            System.out.flush();
        }
        signals.await();
        stop.run();
        return pastBound.get() ? ExitCodes.STOP_PAST_BOUND : signals.exitCode();
    }

    /**
     * The log file in the data directory {@code claimed} owns: only once it owns it, so a refused start never writes
     * into the log of the stack that does. A failure lets the directory go.
     */
    static Path logFile(EmbeddedStack claimed, LogFlags logs) {
        try {
            return LogSetup.toFile(DataDir.child(claimed.dataDir(), "logs"), logs);
        } catch (RuntimeException e) {
            claimed.close();
            throw e;
        }
    }

    /** Prints how the stop ended; whether it was cut short at its bound. */
    private static boolean report(StopOutcome outcome) {
        if (outcome instanceof StopOutcome.PastBound past) {
            System.out.println("kbsync stopped, cut short after " + past.bound().toSeconds() + " s (still under way: "
                    + String.join(", ", past.unfinished()) + ")");
            return true;
        }
        System.out.println("kbsync stopped");
        return false;
    }

    /** What this start found from an earlier run: a leftover redis-server it stopped, jobs it resumed. */
    static String restart(EmbeddedStack stack) {
        StringBuilder out = new StringBuilder();
        stack.stoppedLeftover()
                .ifPresent(pid -> out.append("stopped redis-server pid ")
                        .append(pid)
                        .append(", left running by an earlier run")
                        .append(System.lineSeparator()));
        String resumed = stack.resumed().summary();
        if (!resumed.isEmpty()) {
            out.append(resumed).append(System.lineSeparator());
        }
        return out.toString();
    }

    static String banner(EmbeddedStack stack, Path logFile) {
        String base = stack.baseUrl().toString();
        return String.join(
                        System.lineSeparator(),
                        "kbsync is up",
                        "  redis:       " + Check.masked(stack.redisUri())
                                + (stack.embeddedRedis() ? " (embedded)" : ""),
                        "  coordinator: " + base + " (auth off: loopback only)",
                        "  workers:     " + stack.workerCount(),
                        "  KB 'demo' -> " + stack.demoRemote(),
                        "  logs:        " + logFile,
                        "",
                        "dashboard:     " + base + "/",
                        "submit a note:",
                        "  curl -s -X POST " + base + "/v1/kbs/demo/notes -H 'Content-Type: application/json' \\",
                        "       -d '{\"user\":\"alice\",\"text\":\"Hello from kbsync\"}'",
                        "or watch it land:",
                        "  java -jar dist/target/kbsync.jar note --url " + base
                                + " --kb demo --user alice \"Hello from kbsync\"",
                        "Ctrl-C stops everything.")
                + System.lineSeparator();
    }
}
