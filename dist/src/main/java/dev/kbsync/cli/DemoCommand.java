package dev.kbsync.cli;

import dev.kbsync.api.Job;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.ClientOptions;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.cli.log.LogFlags;
import dev.kbsync.cli.log.LogSetup;
import dev.kbsync.cli.stack.DataDir;
import dev.kbsync.cli.stack.EmbeddedStack;
import dev.kbsync.cli.stack.StackOptions;
import dev.kbsync.cli.stack.StartFailure;
import dev.kbsync.stop.StopOutcome;
import dev.kbsync.worker.process.StopSignals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kbsync demo}: the embedded stack plus simulated users writing to one KB at once; shows the queue moving,
 * then proves from the remote's git log that every note landed exactly once, in fencing-token order. Ctrl-C (SIGINT,
 * SIGTERM, SIGHUP) stops the users and then the stack as {@code up}'s stop does, and removes its own directory.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Start the embedded stack, fire simulated users at the demo KB, and check the git log.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    /** How long a stop waits for the users' thread to end its call under way before the stack stops under it. */
    private static final Duration USERS_STOP = Duration.ofSeconds(5);

    @Mixin
    StackFlags stack;

    @Mixin
    LogFlags logs;

    @Option(names = "--users", description = "Simulated users (default: ${DEFAULT-VALUE}).", defaultValue = "8")
    int users;

    @Option(
            names = "--notes",
            description = "Notes per user, at most 20 (default: ${DEFAULT-VALUE}).",
            defaultValue = "5")
    int notes;

    @Option(names = "--port", description = "Coordinator port (default: any free port).", defaultValue = "0")
    int port;

    /** The log this run writes, once it is open (null before). */
    private Path logFile;

    /** Set once a stop signal ended the run: how its stack's stop went. */
    private StopOutcome stopped;

    @Override
    public Integer call() throws Exception {
        LogSetup.quiet(logs);
        if (users < 1 || users > 100 || notes < 1 || notes > 20) {
            System.err.println(
                    "error: --users must be 1-100 and --notes 1-20 (the per-user rate limit is 20 per minute)");
            return ExitCodes.USAGE;
        }
        StackOptions options = stack.options(port);
        StartFailure.portFree(port); // before anything is created: a refusal changes nothing
        boolean ownDir = !stack.dataDirGiven();
        if (ownDir) { // never the .kbsync of an `up` (it may be running): a directory of the demo's own
            options = options.withDataDir(Files.createTempDirectory("kbsync-demo"));
        }
        // as `up`: a stop signal is answered by stopping the stack before the JVM exits (else Redis was left to its
        // watchdog, and this directory and the coordinator's temporary one stayed behind without a word)
        StopSignals signals = StopSignals.install();
        int verdict;
        try {
            verdict = run(options, signals);
        } catch (Exception | Error e) {
            // before its log was opened nothing in it tells anything: its own directory goes; after, the error's
            // details are in that log (and the embedded Redis's): kept, and said so
            if (ownDir && logFile == null) {
                DataDir.delete(options.dataDir());
            } else if (ownDir) {
                System.err.println("kept " + options.dataDir() + " (its logs show what went wrong)");
            }
            throw e;
        }
        if (stopped != null) {
            boolean clean = !(stopped instanceof StopOutcome.PastBound);
            if (ownDir && clean) {
                DataDir.delete(options.dataDir());
            } else if (ownDir) {
                System.out.println("kept " + options.dataDir() + " (its stop was cut short; its logs show where)");
            }
            return clean ? signals.exitCode() : ExitCodes.STOP_PAST_BOUND;
        }
        if (ownDir && verdict == ExitCodes.OK) {
            DataDir.delete(options.dataDir());
        } else if (ownDir) {
            System.out.println("kept " + options.dataDir() + " (its logs and remote show what went wrong)");
        }
        return verdict;
    }

    /**
     * Starts the stack in the directory of {@code options}, runs the users and returns the verdict's exit code. A stop
     * signal during the start stops the stack once started (a failed start stops what it started); during the run it
     * ends the users (their thread interrupted) and stops the stack, with {@link #stopped} saying how.
     */
    private int run(StackOptions options, StopSignals signals) throws Exception {
        EmbeddedStack claimed = EmbeddedStack.claim(options);
        logFile = UpCommand.logFile(claimed, logs);
        EmbeddedStack running = claimed.boot();
        try (KbsyncClient api = KbsyncClient.create(ClientOptions.of(running.baseUrl(), null))) {
            if (!signals.requested()) {
                System.out.println("kbsync demo: " + users + " users x " + notes + " notes on KB 'demo' ("
                        + running.baseUrl() + ", " + running.workerCount() + " workers)");
                System.out.println("logs: " + logFile);
            }
            FutureTask<Integer> demo = new FutureTask<>(() -> demo(running, api));
            Thread usersThread = new Thread(demo, "kbsync-demo-users");
            Thread stopper = new Thread(
                    () -> {
                        try {
                            signals.await();
                            demo.cancel(true);
                        } catch (InterruptedException over) {
                            // the demo ended first
                        }
                    },
                    "kbsync-demo-stop");
            stopper.setDaemon(true);
            stopper.start();
            usersThread.start();
            try {
                return demo.get();
            } catch (CancellationException e) {
                usersThread.join(USERS_STOP.toMillis());
                System.out.println(System.lineSeparator() + "stopping kbsync (at most "
                        + running.stopBound().toSeconds() + " s) ...");
                stopped = running.stop();
                System.out.println(
                        stopped instanceof StopOutcome.PastBound past
                                ? "kbsync stopped, cut short after "
                                        + past.bound().toSeconds() + " s"
                                : "kbsync stopped");
                return signals.exitCode();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw cause;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            } finally {
                stopper.interrupt();
            }
        } finally {
            if (stopped == null) {
                running.close();
            }
        }
    }

    /** The users' part: every note submitted, followed until it ends, and the verdict from the remote's git log. */
    private int demo(EmbeddedStack running, KbsyncClient api) throws Exception {
        Map<String, String> jobs = submitAll(api);
        QueueTicker ticker = QueueTicker.start(api, System.out, System.console() != null);
        Map<String, String> states;
        try {
            states = awaitAll(api, jobs.keySet());
        } finally {
            ticker.stop();
        }
        return verify(running, jobs, states);
    }

    /** Every user submits all of its notes at once, from its own thread; returns job id -> user. */
    private Map<String, String> submitAll(KbsyncClient api) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(users, 16));
        Map<String, String> jobs = new ConcurrentHashMap<>();
        List<Future<?>> submitted = new ArrayList<>();
        for (int u = 1; u <= users; u++) {
            String user = "user-" + u;
            submitted.add(pool.submit(() -> {
                for (int n = 1; n <= notes; n++) {
                    NoteRequest note = NoteRequest.of(user, "Written by " + user + " through kbsync (note " + n + ").")
                            .withTitle("Note " + n + " from " + user);
                    jobs.put(api.submitNote(KbId.of("demo"), note).id(), user);
                }
                return null;
            }));
        }
        try {
            for (Future<?> f : submitted) {
                f.get();
            }
        } finally {
            pool.shutdownNow(); // a stop interrupts this wait: no user goes on submitting
        }
        return jobs;
    }

    private static Map<String, String> awaitAll(KbsyncClient api, Set<String> ids) throws InterruptedException {
        Map<String, String> states = new HashMap<>();
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (states.size() < ids.size() && System.nanoTime() < deadline) {
            for (String id : ids) {
                if (!states.containsKey(id)) {
                    Job job = api.job(id);
                    if (job.state().terminal()) {
                        states.put(id, job.state().wire());
                    }
                }
            }
            Thread.sleep(250);
        }
        return states;
    }

    private int verify(EmbeddedStack running, Map<String, String> jobs, Map<String, String> states) throws Exception {
        List<RemoteLog.Entry> log = RemoteLog.read(running.demoRemote(), "main");
        System.out.println();
        System.out.println("git log of the demo KB (oldest first):");
        log.forEach(e -> System.out.println("  " + e.line()));
        DemoVerdict verdict = DemoVerdict.of(jobs.keySet(), states, log);
        System.out.println();
        System.out.println(verdict.summary());
        return verdict.ok() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
