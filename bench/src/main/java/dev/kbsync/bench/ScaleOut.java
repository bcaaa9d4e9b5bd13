package dev.kbsync.bench;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobPage;
import dev.kbsync.api.JobQuery;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.Worker;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.KbsyncException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 10: scale-out. {@value #KBS} KBs, each a bare repository served by one C {@code git daemon} (its own
 * process) behind one {@link DelayProxy} (+{@value #ROUND_TRIP_MILLIS} ms per round trip), published by 1, 2, 4 and 8
 * worker <em>processes</em> (separate JVMs, {@code -Xmx256m}, one slot each, group commit of up to 16 notes, as
 * deployed); the fleet's sustained notes/s, checked against {@code N x} the 1-worker rate.
 *
 * <p>Design choices:
 *
 * <ul>
 *   <li>The coordinator runs in a child JVM ({@link ChildCoordinator}), as deployed: on 2 cores the worker JVMs, the
 *       coordinator, Redis, the git daemon and the bench's own threads (the delay proxy, the client) all compete, and
 *       a coordinator of its own lets its CPU be read apart from the bench's ({@code /proc}). One coordinator, one git
 *       daemon and one proxy serve all fleet sizes; each fleet size gets {@value #KBS} fresh KBs (copies of one seeded
 *       bare repository) and fresh worker processes.
 *   <li>Warm caches: each worker's cache dir holds a checkout of every KB before it starts (one C git clone per KB,
 *       origin set to the registered URL, copied into every worker's {@code <cache>/<kb>/work}), as a worker restarted
 *       on its cache volume finds them and opens them ({@code KbRepository.cloneOrOpen}). A sustained fleet has cloned
 *       every KB long ago; here the first clones ({@code N x 50}, one per cycle) would outlast the whole run on 2 cores
 *       and the window would measure nothing but them (it did: every cycle of a first version began with a clone).
 *       Each worker's first cycle on a KB still resets the checkout fully (a new process has no clean mark); the
 *       warm-up leaves the first of those out. {@code -Dkbsync.bench.scaleColdCaches=true}: empty caches instead.
 *   <li>Load: before the workers start, {@code N} shares plus {@value #MARGIN} notes per KB are submitted at once
 *       ({@value #SUBMITTERS} client threads, round robin over the KBs), a share being what one worker gets through
 *       per KB from its start to the window's end: 48 notes (16 with {@code --quick}) for the 1-worker run, then 1.25x what the measured
 *       1-worker rate gets through in that time (16 to 48). So the per-KB backlog relative to the fleet's linear speed
 *       is the same for every {@code N}: at {@code N x} the 1-worker rate every KB would still hold a fifth of its
 *       shares plus {@value #MARGIN} notes (two full batches) at the window's end. The note of each row gives the
 *       smallest backlog any KB really had at the window's end; while it stays above 16 every publish cycle could take
 *       a full batch (the workers' default {@code batch.max}), whatever {@code N}.
 *   <li>Window: timing starts when every worker of the fleet is registered at the coordinator ({@code GET
 *       /v1/workers}), then {@code warmup} seconds are left out (JIT warm-up of the JVMs, first cycles), then
 *       the notes whose job the coordinator reports {@code done} ({@code finishedAt}) within the next {@code window}
 *       seconds are counted. The run stops at the window's end (no drain): workers get SIGTERM, the notes still queued
 *       are cancelled so nothing is left for later scenarios.
 *   <li>CPU: each row's note has the CPU seconds, within the window, of the worker JVMs (and per note), the
 *       coordinator, Redis, the git daemon (with the children it reaped), the bench JVM (delay proxy, client), and how
 *       many of the machine's cores were busy (all processes, other benchmarks included), plus the load average; and,
 *       from the workers' {@code /metrics}, notes per publish cycle, git time per cycle and the cycles that began
 *       behind the remote (another worker had pushed to the KB since). A miss with idle cores is kbsync's (latency,
 *       coordination); with the cores all busy the fleet is bound by the machine, and the CPU per note says whether
 *       each note also got dearer with more workers (more JVMs warming up, more cycles that fetch and reset because
 *       the KB was last with another worker) or only had to share the cores.
 * </ul>
 *
 * <p>{@code -Dkbsync.bench.scaleNotesPerWorker}, {@code .scaleWarmupSeconds} and {@code .scaleWindowSeconds} change the
 * load and the window.
 */
final class ScaleOut {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleOut.class);

    static final int KBS = 50;
    static final int ROUND_TRIP_MILLIS = 50;
    private static final int SUBMITTERS = 8;
    /** Notes per KB left at the window's end at linear speed: two full batches. */
    private static final int MARGIN = 32;
    /** The workers' group commit limit (the default {@code batch.max}). */
    private static final int BATCH = 16;
    /** Allowance for the workers' start (JVMs, registration) in sizing the backlog. */
    private static final int STARTUP_SECONDS = 10;

    private final BenchContext ctx;
    private final int notesPerWorker;
    private final int warmupSeconds;
    private final int windowSeconds;
    /** The 1-worker rate once measured (NaN before): it sizes the larger fleets' backlogs. */
    private double oneWorkerRate = Double.NaN;

    ScaleOut(BenchContext ctx) {
        this.ctx = ctx;
        this.notesPerWorker = Integer.getInteger("kbsync.bench.scaleNotesPerWorker", ctx.quick() ? 16 : 48);
        this.warmupSeconds = Integer.getInteger("kbsync.bench.scaleWarmupSeconds", ctx.quick() ? 3 : 8);
        this.windowSeconds = Integer.getInteger("kbsync.bench.scaleWindowSeconds", ctx.quick() ? 6 : 16);
    }

    /** One run per fleet size; the checks compare each size with {@code N x} the 1-worker rate (if 1 was run). */
    ScenarioResult run(String id, String title, List<Integer> fleets) throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "scale-out");
        Path served = Files.createDirectories(dir.resolve("served"));
        Path template = dir.resolve("template.git");
        GitCli.seed(template, dir.resolve("seed"));
        for (int n : fleets) {
            for (KbId kb : kbs(n)) {
                copy(template, served.resolve(kb.value() + ".git"));
            }
        }
        List<Measurement> rows = new ArrayList<>();
        List<Check> checks = new ArrayList<>();
        try (GitDaemon daemon = new GitDaemon(served);
                DelayProxy proxy = new DelayProxy(daemon.address(), ROUND_TRIP_MILLIS / 2);
                ChildCoordinator coordinator = ChildCoordinator.start(ctx);
                KbsyncClient api = coordinator.client(SUBMITTERS)) {
            String remote = "git://127.0.0.1:" + proxy.port() + "/";
            Measurement one = null;
            for (int n : fleets) {
                Measurement run = runFleet(
                        n,
                        dir,
                        served,
                        remote,
                        api,
                        coordinator.port(),
                        coordinator.pid(),
                        daemon.address().getPort());
                rows.add(run);
                if (n == 1) {
                    one = run;
                    oneWorkerRate = run.perSecond();
                } else if (one != null) {
                    Measurement linear = new Measurement(
                            n + " x the 1-worker rate", null, n * one.perSecond(), Double.NaN, "linear scale-out");
                    rows.add(linear);
                    checks.add(Check.of(run, linear, Target.ratioAtLeast(Metric.RATE, 0.8)));
                }
            }
        }
        return new ScenarioResult(id, title, rows, checks);
    }

    /**
     * The backlog per KB for {@code n} workers: {@code n} shares and {@value #MARGIN}. A share is {@code notesPerWorker}
     * until the 1-worker rate is known, then what that rate gets through per KB from the workers' start to the window's
     * end, with a quarter more to spare (at most {@code notesPerWorker}): no more notes than the run needs to submit and
     * cancel, on a busy machine.
     */
    private int notesPerKb(int n) {
        int share = notesPerWorker;
        if (!Double.isNaN(oneWorkerRate) && System.getProperty("kbsync.bench.scaleNotesPerWorker") == null) {
            double seconds = STARTUP_SECONDS + warmupSeconds + windowSeconds;
            share = Math.max(BATCH, Math.min(notesPerWorker, (int) Math.ceil(1.25 * oneWorkerRate * seconds / KBS)));
        }
        return n * share + MARGIN;
    }

    /** A checkout of every KB (C git, origin the registered URL) in the cache of each of the {@code n} workers. */
    private static void warmCaches(int n, Path dir, Path served, String remote, List<KbId> kbs) throws Exception {
        Path clones = Files.createDirectories(dir.resolve("clones-" + n));
        for (KbId kb : kbs) {
            Path work = clones.resolve(kb.value());
            GitCli.run(
                    clones, "clone", "-q", served.resolve(kb.value() + ".git").toString(), work.toString());
            GitCli.run(work, "remote", "set-url", "origin", remote + kb.value() + ".git");
        }
        for (int w = 0; w < n; w++) {
            Path cache = WorkerChild.cache(dir, workerId(n, w));
            for (KbId kb : kbs) {
                copy(clones.resolve(kb.value()), cache.resolve(kb.value()).resolve("work"));
            }
        }
    }

    private static String workerId(int n, int w) {
        return "scale" + n + "-w" + w;
    }

    private static List<KbId> kbs(int workers) {
        List<KbId> kbs = new ArrayList<>();
        for (int i = 0; i < KBS; i++) {
            kbs.add(KbId.of("s" + workers + "-" + i));
        }
        return kbs;
    }

    /** One fleet size: register fresh KBs, queue the notes, start the workers, time the window, stop, count. */
    private Measurement runFleet(
            int n,
            Path dir,
            Path served,
            String remote,
            KbsyncClient api,
            int port,
            long coordinatorPid,
            int daemonPort)
            throws Exception {
        List<KbId> kbs = kbs(n);
        for (KbId kb : kbs) {
            api.registerKb(
                    new KbConfig(kb, remote + kb.value() + ".git", "main", new NotePathTemplate(HotKb.NOTE_PATH)));
        }
        if (!Boolean.getBoolean("kbsync.bench.scaleColdCaches")) {
            warmCaches(n, dir, served, remote, kbs);
        }
        int perKb = notesPerKb(n);
        long submitStart = System.nanoTime();
        submit(api, kbs, perKb, n);
        double submitSeconds = (System.nanoTime() - submitStart) / 1e9;
        LOG.info("{} workers: {} notes queued in {} s", n, perKb * KBS, submitSeconds);

        List<WorkerChild> workers = new ArrayList<>();
        FleetSample before;
        FleetSample after;
        long startMillis;
        long endMillis;
        String load;
        try {
            for (int w = 0; w < n; w++) {
                workers.add(WorkerChild.start(dir, port, workerId(n, w)));
            }
            double registerSeconds = awaitRegistered(api, workers);
            LOG.info("{} workers registered after {} s", n, registerSeconds);
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmupSeconds));
            before = FleetSample.take(workers, coordinatorPid, daemonPort);
            startMillis = System.currentTimeMillis();
            Thread.sleep(TimeUnit.SECONDS.toMillis(windowSeconds));
            endMillis = System.currentTimeMillis();
            after = FleetSample.take(workers, coordinatorPid, daemonPort);
            load = BenchMain.loadAverage();
        } finally {
            long stopping = System.nanoTime();
            workers.forEach(WorkerChild::stop);
            workers.forEach(WorkerChild::awaitStopped);
            long cancelling = System.nanoTime();
            cancelQueued(api, kbs);
            LOG.info(
                    "{} workers: stopped in {} ms, leftovers cancelled in {} ms",
                    n,
                    (cancelling - stopping) / 1_000_000,
                    (System.nanoTime() - cancelling) / 1_000_000);
        }
        long counting = System.nanoTime();
        Counts counts = count(api, kbs, perKb, startMillis, endMillis);
        LOG.info("{} workers: jobs counted in {} ms", n, (System.nanoTime() - counting) / 1_000_000);
        double seconds = (endMillis - startMillis) / 1000.0;
        double rate = counts.inWindow() / seconds;
        return new Measurement(
                String.format(
                        Locale.ROOT,
                        "%d worker process%s, %d KBs, +%d ms",
                        n,
                        n == 1 ? "" : "es",
                        KBS,
                        ROUND_TRIP_MILLIS),
                null,
                rate,
                Double.NaN,
                note(warmupSeconds, perKb, submitSeconds, counts, seconds, before, after, load));
    }

    private static String note(
            int warmup,
            int perKb,
            double submitSeconds,
            Counts counts,
            double seconds,
            FleetSample before,
            FleetSample after,
            String load) {
        double workerCpu = after.workers() - before.workers();
        long cycles = after.cycles() - before.cycles();
        long behind = after.behind() - before.behind();
        long reported = after.reported() - before.reported();
        double gitSeconds = after.gitSeconds() - before.gitSeconds();
        double busyCores = (after.busyJiffies() - before.busyJiffies())
                / (double) Math.max(1, after.allJiffies() - before.allJiffies())
                * Runtime.getRuntime().availableProcessors();
        return String.format(
                Locale.ROOT,
                "%,d notes done in the %.0f s window (%d s after the last worker registered); %,d notes per KB queued"
                        + " before the workers started (%,d in %.1f s), fewest left on a KB at the window's end %d%s;"
                        + " %d publish cycles, %.1f notes per cycle, git %.0f ms per cycle, %d (%.0f%%) began behind"
                        + " the remote, %d KB checkouts cloned; CPU s in the window: workers"
                        + " %.1f (%.1f ms per note; JIT compiler threads %.1f, GC threads %.1f), coordinator %.1f, Redis %.1f, git daemon %.1f (%.1f ms per note),"
                        + " bench JVM (proxy, client) %.1f; machine %.2f of %d cores busy (all processes); load"
                        + " average %s%s",
                counts.inWindow(),
                seconds,
                warmup,
                perKb,
                perKb * KBS,
                submitSeconds,
                counts.fewestLeft(),
                counts.fewestLeft() > BATCH
                        ? " (full batches possible throughout)"
                        : " (**a KB ran short of a batch**)",
                cycles,
                cycles == 0 ? 0.0 : (double) reported / cycles,
                cycles == 0 ? 0.0 : 1000 * gitSeconds / cycles,
                behind,
                cycles == 0 ? 0.0 : 100.0 * behind / cycles,
                after.clones() - before.clones(),
                workerCpu,
                counts.inWindow() == 0 ? 0.0 : 1000 * workerCpu / counts.inWindow(),
                after.workersJit() - before.workersJit(),
                after.workersGc() - before.workersGc(),
                after.coordinator() - before.coordinator(),
                after.redis() - before.redis(),
                after.daemon() - before.daemon(),
                counts.inWindow() == 0 ? 0.0 : 1000 * (after.daemon() - before.daemon()) / counts.inWindow(),
                after.bench() - before.bench(),
                busyCores,
                Runtime.getRuntime().availableProcessors(),
                load,
                failed(counts));
    }

    /** The failed jobs, if any: before the window's end, and after it (while the workers stopped). */
    private static String failed(Counts counts) {
        if (counts.failedInWindow() + counts.failedAfter() == 0) {
            return "";
        }
        return String.format(
                Locale.ROOT,
                "; **jobs failed: %d before the window's end, %d after it** (while the workers stopped)",
                counts.failedInWindow(),
                counts.failedAfter());
    }

    /** Queues {@code perKb} notes on every KB from a few threads, round robin over the KBs. */
    private static void submit(KbsyncClient api, List<KbId> kbs, int perKb, int n) throws Exception {
        int total = perKb * kbs.size();
        ExecutorService pool = Executors.newFixedThreadPool(SUBMITTERS);
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < SUBMITTERS; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < total; i += SUBMITTERS) {
                        api.submitNote(
                                kbs.get(i % kbs.size()),
                                new NoteRequest(
                                        "bench",
                                        "Note " + i + " of the scale-out run with " + n + " workers.\n",
                                        "Scale note " + i,
                                        null,
                                        null));
                    }
                    return null;
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Seconds until every worker of the fleet is listed up by {@code GET /v1/workers}. */
    private static double awaitRegistered(KbsyncClient api, List<WorkerChild> workers) throws Exception {
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(120);
        Set<String> ids = workers.stream().map(WorkerChild::id).collect(Collectors.toSet());
        while (true) {
            Set<String> up = api.workers().workers().stream()
                    .filter(w -> w.state() == Worker.State.UP)
                    .map(Worker::id)
                    .collect(Collectors.toSet());
            if (up.containsAll(ids)) {
                return (System.nanoTime() - start) / 1e9;
            }
            for (WorkerChild w : workers) {
                if (!w.process().isAlive()) {
                    throw new IllegalStateException("worker " + w.id() + " exited; see " + w.log());
                }
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("workers not all registered in 120 s: " + up + " of " + ids);
            }
            Thread.sleep(200);
        }
    }

    /** Cancels the notes still queued on the KBs (after the workers stopped), so no later scenario sees them. */
    private static void cancelQueued(KbsyncClient api, List<KbId> kbs) throws Exception {
        forEachKb(kbs, kb -> {
            for (int round = 0; round < 10_000; round++) {
                List<Job> queued = api.jobs(JobQuery.all()
                                .withKb(kb)
                                .withState(JobState.QUEUED.wire())
                                .withLimit(100))
                        .jobs();
                if (queued.isEmpty()) {
                    return null;
                }
                for (Job job : queued) {
                    try {
                        api.cancel(job.id());
                    } catch (KbsyncException.Rejected gone) {
                        // it ran or ended meanwhile
                    }
                }
            }
            return null;
        });
    }

    private record Counts(long inWindow, long fewestLeft, long failedInWindow, long failedAfter) {}

    /** The notes done within the window (by the coordinator's {@code finishedAt}) and the backlog at its end. */
    private static Counts count(KbsyncClient api, List<KbId> kbs, int perKb, long startMillis, long endMillis)
            throws Exception {
        Map<KbId, long[]> perKbCounts = new HashMap<>();
        forEachKb(kbs, kb -> {
            long inWindow = 0;
            long finishedByEnd = 0;
            long failedIn = 0;
            long failedAfter = 0;
            String cursor = null;
            do {
                JobPage page = api.jobs(JobQuery.all().withKb(kb).withLimit(100).after(cursor));
                for (Job job : page.jobs()) {
                    if (job.state() == JobState.FAILED && job.finishedAt() != null) {
                        if (job.finishedAt().toEpochMilli() < endMillis) {
                            failedIn++;
                        } else {
                            failedAfter++;
                        }
                    }
                    if (job.state() == JobState.DONE && job.finishedAt() != null) {
                        long at = job.finishedAt().toEpochMilli();
                        if (at < endMillis) {
                            finishedByEnd++;
                            if (at >= startMillis) {
                                inWindow++;
                            }
                        }
                    }
                }
                cursor = page.nextCursor();
            } while (cursor != null);
            synchronized (perKbCounts) {
                perKbCounts.put(kb, new long[] {inWindow, finishedByEnd, failedIn, failedAfter});
            }
            return null;
        });
        long inWindow = 0;
        long fewestLeft = Long.MAX_VALUE;
        long failedIn = 0;
        long failedAfter = 0;
        for (long[] c : perKbCounts.values()) {
            inWindow += c[0];
            fewestLeft = Math.min(fewestLeft, perKb - c[1]);
            failedIn += c[2];
            failedAfter += c[3];
        }
        return new Counts(inWindow, fewestLeft, failedIn, failedAfter);
    }

    private interface KbTask {
        Void run(KbId kb) throws Exception;
    }

    private static void forEachKb(List<KbId> kbs, KbTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(SUBMITTERS);
        try {
            List<Future<Void>> parts = new ArrayList<>();
            for (KbId kb : kbs) {
                parts.add(pool.submit(() -> task.run(kb)));
            }
            for (Future<Void> part : parts) {
                part.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Copies a bare repository (the seeded template) to {@code target}. */
    private static void copy(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path from : files.toList()) {
                Path to = target.resolve(source.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
    }
}
