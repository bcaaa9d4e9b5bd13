package dev.kbsync.bench;

import dev.kbsync.api.FileChange;
import dev.kbsync.git.Author;
import dev.kbsync.git.GitAuth;
import dev.kbsync.worker.apply.ApplyResult;
import dev.kbsync.worker.apply.CaseIndex;
import dev.kbsync.worker.run.KbCheckout;
import dev.kbsync.worker.run.Outcome;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import dev.kbsync.worker.run.PublishCycle;
import dev.kbsync.worker.run.PushRetry;
import dev.kbsync.worker.run.WorkUnit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Scenario 6: time per job on a large KB, kbsync's publish cycle (JGit: sync to the remote, trailer check, the note
 * written, commit, push) against the original model with the git CLI (pull, write, add, commit, push), on the same bare
 * remote, both by wall time.
 */
final class WorkerGit {
    /** The worker's default {@code maintain.every}. */
    static final int MAINTAIN_EVERY = 50;

    /** The phases of one publish cycle whose times the scenarios split a note into, in order. */
    static final List<Phase> CYCLE_PHASES = List.of(Phase.PULLED, Phase.APPLIED, Phase.COMMITTED, Phase.PUSHED);

    /**
     * The CPU of the thread that runs the publish cycles: the whole cycle runs on the caller (JGit's client side opens
     * no threads of its own here; the worker's checkouts turn automatic gc off), while the in-JVM git server's
     * connections, its automatic gc after a push ({@code JGit-WorkQueue}) and the delay proxy run on other threads.
     */
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final BenchContext ctx;
    private final Function<String, WorkUnit> noteJobs;

    WorkerGit(BenchContext ctx) {
        this(ctx, NoteUnit::new);
    }

    /** With the note jobs {@code noteJobs} makes from a job id instead of the bench's own (tests). */
    WorkerGit(BenchContext ctx, Function<String, WorkUnit> noteJobs) {
        this.ctx = ctx;
        this.noteJobs = noteJobs;
    }

    /** The bench's note job: writes {@code notes/<id>.md}. */
    static WorkUnit note(String id) {
        return new NoteUnit(id);
    }

    /** The shared remote: a bare repository whose main branch holds {@code files} small files. */
    Path largeRemote(int files) throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "large-kb");
        Path remote = dir.resolve("remote.git");
        Path seed = dir.resolve("seed");
        GitCli.seed(remote, seed);
        for (int i = 0; i < files; i++) {
            Path file = seed.resolve("pages/" + (i % 100) + "/page-" + i + ".md");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "# page " + i + "\n\nseed content\n");
        }
        GitCli.run(seed, "add", "-A");
        GitCli.run(seed, "commit", "-q", "-m", "seed " + files + " files");
        GitCli.run(seed, "push", "-q", "origin", "HEAD:main");
        return remote;
    }

    /**
     * Scenario 6: {@code jobs} publish cycles on one checkout, maintained every {@link #MAINTAIN_EVERY} jobs as the
     * worker does (after the job, outside its time). Each job's time is the wall time of its whole cycle (sync, the
     * note written, commit, push), as the CLI anchor's pull + write + add + commit + push is timed: not only the git
     * time {@code PublishCycle} reports, which leaves the note's apply out. Returns all jobs, the first {@code window}
     * and the last.
     */
    List<Measurement> publishCycle(Path remote, int jobs, int window) throws Exception {
        List<Long> times = new ArrayList<>();
        int[] done = {0};
        String subject = "kbsync worker publish cycle (JGit)";
        Measurement all = publish(
                        subject,
                        remote.toUri().toString(),
                        Files.createTempDirectory(ctx.scratch(), "worker-checkout")
                                .resolve("kb"),
                        jobs,
                        checkout -> {
                            checkout.maintainEvery(MAINTAIN_EVERY);
                            maintainRemote(remote, ++done[0]);
                        },
                        times)
                .measurement();
        return List.of(
                all,
                latencyOnly(subject + ", first " + window + " jobs", times.subList(0, window)),
                latencyOnly(
                        subject + ", last " + window + " jobs", times.subList(times.size() - window, times.size())));
    }

    /**
     * The remote's own housekeeping, as a git server does it (C git's receive-pack runs {@code gc --auto}): JGit
     * keeps every received push as a pack, and a remote with hundreds of packs makes every push slower.
     */
    static void maintainRemote(Path remote, int jobs) {
        if (jobs % MAINTAIN_EVERY == 0) {
            try {
                GitCli.run(remote, "repack", "-a", "-d", "-q");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private static Measurement latencyOnly(String subject, List<Long> nanos) {
        return new Measurement(subject, stats(nanos), Double.NaN, Double.NaN, "");
    }

    private static Stats stats(List<Long> nanos) {
        Stats stats = new Stats();
        nanos.forEach(stats::record);
        return stats;
    }

    /**
     * Scenario 9's anchor: the worker's publish cycle alone, one note per cycle on {@code remote}, its wall time from
     * the call to the published outcome; {@code warmup} cycles first, unrecorded. The checkout and the remote are
     * maintained every {@link #MAINTAIN_EVERY} notes outside the timing, as the worker and a git server do.
     */
    Measurement cycleAlone(Path remote, int warmup, int notes) throws Exception {
        Stats stats = new Stats();
        Map<Phase, Stats> stages = new EnumMap<>(Phase.class);
        for (Phase phase : CYCLE_PHASES) {
            stages.put(phase, new Stats());
        }
        long[] mark = new long[1];
        PhaseListener phases = (phase, id) -> {
            long now = System.nanoTime();
            Stats stage = stages.get(phase);
            if (stage != null) {
                stage.record(now - mark[0]);
                mark[0] = now;
            }
        };
        PublishCycle cycle = new PublishCycle(PushRetry.defaults(), phases, done -> {});
        Path checkoutDir =
                Files.createTempDirectory(ctx.scratch(), "worker-checkout").resolve("kb");
        try (KbCheckout checkout = new KbCheckout(remote.toUri().toString(), "main", checkoutDir, GitAuth.NONE)) {
            long start = 0;
            for (int i = 0; i < warmup + notes; i++) {
                if (i == warmup) {
                    start = System.nanoTime();
                    stages.values().forEach(Stats::reset);
                }
                long t0 = System.nanoTime();
                mark[0] = t0;
                publish(cycle, checkout, "job-" + i);
                if (i >= warmup) {
                    stats.record(System.nanoTime() - t0);
                }
                checkout.maintainEvery(MAINTAIN_EVERY);
                maintainRemote(remote, i + 1);
            }
            return Measurement.of(
                            "kbsync worker publish cycle alone (sync, apply, commit, push), one note per cycle",
                            stats,
                            notes,
                            System.nanoTime() - start)
                    .withNote(String.format(
                            Locale.ROOT,
                            "p50 of each stage: -> synced %.2f ms; -> applied %.2f ms; -> committed %.2f ms;"
                                    + " -> pushed %.2f ms",
                            stages.get(Phase.PULLED).p50Ms(),
                            stages.get(Phase.APPLIED).p50Ms(),
                            stages.get(Phase.COMMITTED).p50Ms(),
                            stages.get(Phase.PUSHED).p50Ms()));
        }
    }

    private Publishing publish(
            String subject, String url, Path checkoutDir, int jobs, Consumer<KbCheckout> afterJob, List<Long> times) {
        Stats stats = new Stats();
        PublishCycle cycle = new PublishCycle(PushRetry.defaults(), PhaseListener.NONE, done -> {});
        try (KbCheckout checkout = new KbCheckout(url, "main", checkoutDir, GitAuth.NONE)) {
            publish(cycle, checkout, "warmup-clone");
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            for (int i = 0; i < jobs; i++) {
                long t0 = System.nanoTime();
                publish(cycle, checkout, "job-" + i);
                long took = System.nanoTime() - t0;
                stats.record(took);
                times.add(took);
                afterJob.accept(checkout);
            }
            long elapsed = System.nanoTime() - start;
            double cpu = (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e9;
            return new Publishing(Measurement.of(subject, stats, jobs, elapsed), cpu, jobs);
        }
    }

    /** Scenario 5: the worker's publish cycle, one note per cycle, against a remote behind the delaying proxy. */
    Measurement publishOverNetwork(int roundTripMillis, int notes) throws Exception {
        return publishOverNetworkWithCpu(roundTripMillis, notes).measurement();
    }

    /**
     * Scenario 5's measurement with the worker's CPU: what the cycles after the first clone cost the thread that ran
     * them (the git daemon and the delay proxy run in this JVM too, on threads of their own, and are not counted).
     */
    Publishing publishOverNetworkWithCpu(int roundTripMillis, int notes) throws Exception {
        try (NetworkRemote remote = new NetworkRemote(ctx, roundTripMillis)) {
            return publish(
                    "kbsync worker publish cycle per note, git:// +" + roundTripMillis + " ms per round trip",
                    remote.url(),
                    remote.scratch("worker"),
                    notes,
                    checkout -> {},
                    new ArrayList<>());
        }
    }

    /** Scenario 5 with group commit: {@code batch} notes per publish cycle (one push), latency per batch. */
    Measurement groupCommitOverNetwork(int roundTripMillis, int notes, int batch) throws Exception {
        try (NetworkRemote remote = new NetworkRemote(ctx, roundTripMillis);
                KbCheckout checkout = new KbCheckout(remote.url(), "main", remote.scratch("worker"), GitAuth.NONE)) {
            Stats stats = new Stats();
            PublishCycle cycle = new PublishCycle(PushRetry.defaults(), PhaseListener.NONE, git -> {});
            publish(cycle, checkout, "warmup-clone");
            long start = System.nanoTime();
            for (int i = 0; i < notes; i += batch) {
                List<NoteUnit> units = new ArrayList<>();
                for (int j = i; j < Math.min(notes, i + batch); j++) {
                    units.add(new NoteUnit("note-" + j));
                }
                long t0 = System.nanoTime();
                for (Outcome outcome : cycle.runAll(checkout, units)) {
                    published(outcome, units.get(0).id());
                }
                stats.record(System.nanoTime() - t0);
            }
            return Measurement.of(
                            "kbsync worker group commit (" + batch + " notes per push), git:// +" + roundTripMillis
                                    + " ms per round trip",
                            stats,
                            notes,
                            System.nanoTime() - start)
                    .withNote("p50/p99 per batch of " + batch);
        }
    }

    Measurement cliCycle(Path remote, int notes) throws Exception {
        Path clone = Files.createTempDirectory(ctx.scratch(), "cli-checkout").resolve("kb");
        GitCli.run(clone.getParent(), "clone", "-q", remote.toString(), clone.toString());
        int[] n = {0};
        return Timer.loop("git CLI pull + add + commit + push", 2, notes, () -> {
            int i = n[0]++;
            GitCli.run(clone, "pull", "-q", "--ff-only", "origin", "main");
            Files.createDirectories(clone.resolve("notes"));
            Files.writeString(clone.resolve("notes/cli-" + i + ".md"), "note " + i + "\n");
            GitCli.run(clone, "add", "-A");
            GitCli.run(clone, "commit", "-q", "-m", "Add: cli note " + i);
            GitCli.run(clone, "push", "-q", "origin", "HEAD:main");
        });
    }

    /**
     * A publish run's timings, and the CPU seconds its {@code notes} timed cycles (the first clone before them not
     * included) cost the thread that ran them; the JVM's GC and JIT threads are not in it, being shared with the git
     * server in the same JVM.
     */
    record Publishing(Measurement measurement, double workerCpuSeconds, int notes) {
        double cpuMsPerNote() {
            return 1000 * workerCpuSeconds / notes;
        }
    }

    private void publish(PublishCycle cycle, KbCheckout checkout, String id) {
        published(cycle.run(checkout, noteJobs.apply(id)), id);
    }

    private static void published(Outcome outcome, String id) {
        if (!(outcome instanceof Outcome.Published)) {
            throw new IllegalStateException("job " + id + " was not published: " + outcome);
        }
    }

    /** A note job as the worker's publish cycle sees it: writes notes/{id}.md. */
    private record NoteUnit(String id) implements WorkUnit {
        @Override
        public Author author() {
            return new Author("bench", "bench@example.org");
        }

        @Override
        public Map<String, String> trailers() {
            return Map.of();
        }

        @Override
        public ApplyResult apply(Path workTree, CaseIndex names) {
            String path = "notes/" + id + ".md";
            try {
                Files.createDirectories(workTree.resolve("notes"));
                Files.writeString(workTree.resolve(path), "note " + id + "\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new ApplyResult.Changed(
                    "Add: " + id, List.of(new FileChange(path, FileChange.Change.CREATED, null)));
        }

        @Override
        public void checkBeforePush() {}
    }
}
