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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code kbsync demo}: the embedded stack plus simulated users writing to one KB at once; shows the queue moving,
 * then proves from the remote's git log that every note landed exactly once, in fencing-token order.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = "Start the embedded stack, fire simulated users at the demo KB, and check the git log.")
final class DemoCommand implements Callable<Integer> {
    private static final Duration DEADLINE = Duration.ofMinutes(5);

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
        int verdict;
        try {
            verdict = run(options);
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
        if (ownDir && verdict == ExitCodes.OK) {
            DataDir.delete(options.dataDir());
        } else if (ownDir) {
            System.out.println("kept " + options.dataDir() + " (its logs and remote show what went wrong)");
        }
        return verdict;
    }

    /** Starts the stack in the directory of {@code options}, runs the users and returns the verdict's exit code. */
    private int run(StackOptions options) throws Exception {
        EmbeddedStack claimed = EmbeddedStack.claim(options);
        logFile = UpCommand.logFile(claimed, logs);
        try (EmbeddedStack running = claimed.boot();
                KbsyncClient api = KbsyncClient.create(ClientOptions.of(running.baseUrl(), null))) {
            System.out.println("kbsync demo: " + users + " users x " + notes + " notes on KB 'demo' ("
                    + running.baseUrl() + ", " + running.workerCount() + " workers)");
            System.out.println("logs: " + logFile);
            Map<String, String> jobs = submitAll(api);
            QueueTicker ticker = QueueTicker.start(api, System.out, System.console() != null);
            Map<String, String> states = awaitAll(api, jobs.keySet());
            ticker.stop();
            return verify(running, jobs, states);
        }
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
        for (Future<?> f : submitted) {
            f.get();
        }
        pool.shutdown();
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
