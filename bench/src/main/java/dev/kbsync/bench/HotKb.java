package dev.kbsync.bench;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.worker.process.WorkerConfigLoader;
import dev.kbsync.worker.process.WorkerProcess;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 7: a hot KB. {@code notes} notes submitted at once through the HTTP API to one KB (file or git:// remote),
 * published by {@code workers} in-process workers taking turns on it (group commit). Measures the rate of the first
 * and the last 1,000 notes (by the time their push landed), how many publish cycles began with a rejected push, and
 * how many began behind the remote (another worker had pushed since: what worker affinity avoids).
 */
final class HotKb {
    private static final Logger LOG = LoggerFactory.getLogger(HotKb.class);

    /** How the KB is registered: notes spread over 256 folders (see docs/configuration.md), so no folder grows big. */
    static final String NOTE_PATH = "notes/{shard}/{slug}.md";

    private static final KbId HOT = KbId.of("hot");
    private static final int WINDOW = 1_000;
    private static final int SUBMITTERS = 8;

    private final BenchContext ctx;

    HotKb(BenchContext ctx) {
        this.ctx = ctx;
    }

    /** One run: first and last {@link #WINDOW} notes' rates, rejected cycles in the note. */
    List<Measurement> run(int notes, int workers, int roundTripMillis) throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "hot-kb");
        Map<String, Long> pushed = new ConcurrentHashMap<>();
        // the notes of one push share its time: a cycle reports them PUSHED one after the other on its thread, after
        // every other phase of the cycle, so the first of them stamps the push and the thread's next phase clears it
        Map<Thread, Long> pushOfThread = new ConcurrentHashMap<>();
        PhaseListener listener = (phase, jobId) -> {
            if (phase == Phase.PUSHED) {
                pushed.putIfAbsent(jobId, pushOfThread.computeIfAbsent(Thread.currentThread(), t -> System.nanoTime()));
            } else {
                pushOfThread.remove(Thread.currentThread());
            }
        };
        try (Remote remote = Remote.of(ctx, dir, roundTripMillis);
                KbsyncServer server = KbsyncServer.start(ctx.redisUri(), coordinatorSettings());
                KbsyncClient api = server.client(SUBMITTERS)) {
            api.registerKb(new KbConfig(HOT, remote.url(), "main", new NotePathTemplate(NOTE_PATH)));
            Vertx vertx = Vertx.vertx();
            List<WorkerProcess> started = new ArrayList<>();
            try {
                for (int w = 0; w < workers; w++) {
                    started.add(startWorker(vertx, server, dir.resolve("worker-" + w), "w" + w, listener));
                }
                submit(api, notes);
                awaitPushed(pushed, notes, remote);
            } finally {
                started.forEach(WorkerProcess::stop);
                vertx.close().await(30, TimeUnit.SECONDS);
            }
            long cycles =
                    started.stream().mapToLong(w -> w.metrics().publishCycles()).sum();
            long rejected = started.stream()
                    .mapToLong(w -> w.metrics().rejectedCycles())
                    .sum();
            long behind =
                    started.stream().mapToLong(w -> w.metrics().behindCycles()).sum();
            return measure(pushed, notes, workers, remote.label(), cycles, rejected, behind);
        }
    }

    /**
     * The coordinator's settings for the run: the defaults, or another worker affinity window
     * ({@code -Dkbsync.bench.affinityMillis=0}: none, to compare).
     */
    private static Map<String, String> coordinatorSettings() {
        String affinity = System.getProperty("kbsync.bench.affinityMillis");
        return affinity == null ? Map.of() : Map.of("KBSYNC_JOBS_AFFINITY_MILLIS", affinity);
    }

    /** An in-process worker (one slot) polling {@code server}, its checkouts under {@code cache}. */
    static WorkerProcess startWorker(Vertx vertx, KbsyncServer server, Path cache, String id, PhaseListener listener)
            throws Exception {
        Map<String, String> env = Map.of(
                "KBSYNC_COORDINATOR_URL", "http://127.0.0.1:" + server.port(),
                "KBSYNC_WORKER_ID", id,
                "KBSYNC_CACHE_DIR", cache.toString(),
                "KBSYNC_CONCURRENCY", "1",
                "KBSYNC_WORKER_HTTP_PORT", "0",
                "KBSYNC_POLL_WAIT", "2s",
                "KBSYNC_SHUTDOWN_GRACE", "5s");
        return WorkerProcess.start(vertx, WorkerConfigLoader.load(env), env, listener)
                .await(30, TimeUnit.SECONDS);
    }

    /** Submits all notes from a few threads (the queue fills far faster than workers drain it). */
    private static void submit(KbsyncClient api, int notes) throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (int t = 0; t < SUBMITTERS; t++) {
            int first = t;
            Thread thread = new Thread(() -> {
                try {
                    for (int i = first; i < notes; i += SUBMITTERS) {
                        api.submitNote(
                                HOT,
                                new NoteRequest(
                                        "bench",
                                        "Note " + i + " of the sustained run.\n",
                                        "Hot note " + i,
                                        null,
                                        null));
                    }
                } catch (Exception e) {
                    synchronized (failures) {
                        failures.add(e);
                    }
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /** Waits until every note was pushed, running the remote's housekeeping as its server would meanwhile. */
    private static void awaitPushed(Map<String, Long> pushed, int notes, Remote remote) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
        int lastHousekeeping = 0;
        while (pushed.size() < notes) {
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("only " + pushed.size() + " of " + notes + " notes pushed in 30 min");
            }
            if (pushed.size() - lastHousekeeping >= 500) {
                lastHousekeeping = pushed.size();
                long started = System.nanoTime();
                remote.housekeeping();
                LOG.info(
                        "remote housekeeping at {} notes: {} ms",
                        lastHousekeeping,
                        (System.nanoTime() - started) / 1_000_000);
            }
            Thread.sleep(200);
        }
    }

    private static List<Measurement> measure(
            Map<String, Long> pushed, int notes, int workers, String remote, long cycles, long rejected, long behind) {
        List<Long> times = pushed.values().stream().sorted().toList();
        int window = Math.min(WINDOW, notes / 2);
        String affinity = System.getProperty("kbsync.bench.affinityMillis");
        String subject = String.format(Locale.ROOT, "%,d notes, %d workers, %s", notes, workers, remote)
                + (affinity == null ? "" : ", affinity " + affinity + " ms");
        String note = String.format(
                Locale.ROOT,
                "%d of %d publish cycles began with a rejected push (%.1f%%), %d began behind the remote (%.1f%%)",
                rejected,
                cycles,
                cycles == 0 ? 0.0 : 100.0 * rejected / cycles,
                behind,
                cycles == 0 ? 0.0 : 100.0 * behind / cycles);
        return List.of(
                rate(subject + ", first " + window, times, 0, window, note),
                rate(subject + ", last " + window, times, times.size() - window, times.size(), note),
                rate(subject + ", all", times, 0, times.size(), note));
    }

    private static Measurement rate(String subject, List<Long> times, int from, int to, String note) {
        return new Measurement(subject, null, perSecond(times, from, to), Double.NaN, note);
    }

    /**
     * Notes a second over the notes {@code from} (inclusive) to {@code to} (exclusive) of the sorted push times, in
     * whole pushes: a group commit lands its notes with one push, and they share its time. From the push before the
     * window's first note (for the first notes of the run, from their own push, whose notes are then not counted) to
     * the window's last push, the notes of the pushes in between and of the last one, all of it.
     */
    static double perSecond(List<Long> times, int from, int to) {
        long first = times.get(from);
        long last = times.get(to - 1);
        int before = from - 1;
        while (before >= 0 && times.get(before) == first) {
            before--;
        }
        long start = before >= 0 ? times.get(before) : first;
        long notes = times.stream().filter(t -> t > start && t <= last).count();
        return last == start ? Double.NaN : notes / ((last - start) / 1e9);
    }

    /**
     * The KB's remote: a bare repository on disk, or one served over git:// behind the delay proxy; with
     * {@code -Dkbsync.bench.hotRemote=daemon}, C git's {@code git daemon} in its own process instead (behind the delay
     * proxy when the run has a round trip): the hosted-remote case, whose server costs and housekeeping stay out of the
     * bench's JVM.
     */
    private interface Remote extends AutoCloseable {
        static Remote of(BenchContext ctx, Path dir, int roundTripMillis) throws Exception {
            if ("daemon".equals(System.getProperty("kbsync.bench.hotRemote"))) {
                return daemon(dir, roundTripMillis);
            }
            return roundTripMillis > 0 ? network(ctx, roundTripMillis) : file(dir);
        }

        String url();

        String label();

        /**
         * What the remote's server does on its own: C git's receive-pack runs {@code gc --auto}. The file and bench
         * git:// remotes are received by JGit in the bench's own JVM, whose automatic gc after a push
         * ({@code receive.autogc}) would repack the whole remote on the bench's threads each time 50 pushes have
         * added packs (most of the CPU at the end of a 10,000-note run); they turn it off, as JGit-based servers do,
         * and the bench runs C git's {@code gc --auto} in a process of its own instead.
         */
        void housekeeping() throws Exception;

        /** Leaves the remote's maintenance to {@link #housekeeping()}: no gc by JGit's receive after each push. */
        static void noAutoGcOnReceive(Path bare) throws Exception {
            GitCli.run(bare, "config", "receive.autogc", "false");
        }

        static Remote file(Path dir) throws Exception {
            Path bare = dir.resolve("remote.git");
            GitCli.seed(bare, dir.resolve("seed"));
            noAutoGcOnReceive(bare);
            return new Remote() {
                public String url() {
                    return bare.toUri().toString();
                }

                public String label() {
                    return "file remote";
                }

                public void housekeeping() throws Exception {
                    GitCli.run(bare, "gc", "--auto", "-q");
                }

                public void close() {}
            };
        }

        static Remote daemon(Path dir, int roundTripMillis) throws Exception {
            Files.createDirectories(dir.resolve("served"));
            GitCli.seed(dir.resolve("served").resolve("kb.git"), dir.resolve("seed"));
            GitDaemon daemon = new GitDaemon(dir.resolve("served"));
            DelayProxy proxy = roundTripMillis > 0 ? new DelayProxy(daemon.address(), roundTripMillis / 2) : null;
            int port = proxy == null ? daemon.address().getPort() : proxy.port();
            return new Remote() {
                public String url() {
                    return "git://127.0.0.1:" + port + "/kb.git";
                }

                public String label() {
                    return "git daemon (C git, own process)" + (proxy == null ? "" : " +" + roundTripMillis + " ms");
                }

                public void housekeeping() {} // receive-pack runs gc --auto after pushes, as a hosted remote

                public void close() throws Exception {
                    if (proxy != null) {
                        proxy.close();
                    }
                    daemon.close();
                }
            };
        }

        static Remote network(BenchContext ctx, int roundTripMillis) throws Exception {
            NetworkRemote network = new NetworkRemote(ctx, roundTripMillis);
            noAutoGcOnReceive(network.scratch("kb.git"));
            return new Remote() {
                public String url() {
                    return network.url();
                }

                public String label() {
                    return "git:// +" + roundTripMillis + " ms per round trip";
                }

                public void housekeeping() throws Exception {
                    GitCli.run(network.scratch("kb.git"), "gc", "--auto", "-q");
                }

                public void close() throws Exception {
                    network.close();
                }
            };
        }
    }
}
