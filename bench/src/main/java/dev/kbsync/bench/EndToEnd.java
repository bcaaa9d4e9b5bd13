package dev.kbsync.bench;

import dev.kbsync.api.Job;
import dev.kbsync.api.JobState;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.worker.process.WorkerProcess;
import dev.kbsync.worker.run.Phase;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Scenario 9: a note end to end, as a bot sees it. One note at a time: {@code POST /v1/kbs/{kb}/notes}, then the
 * job's event stream until {@code done} (the Java client's {@code awaitJob}), through the coordinator, one worker
 * (in this JVM, talking HTTP to the coordinator) and a file remote; against the worker's publish cycle alone (sync,
 * apply, commit, push) on a remote of the same size, one note at a time. Where the time goes is in the row's note
 * ({@link #STAGES}). The remote is repacked every
 * {@link WorkerGit#MAINTAIN_EVERY} notes on both sides, outside the timing; the worker maintains its checkout as
 * configured by default, the anchor as often.
 */
final class EndToEnd {
    private static final KbId KB = KbId.of("e2e");
    private static final Duration DONE_WITHIN = Duration.ofSeconds(60);

    /**
     * The stages between the marks of a note (the bot's clock, the job's {@code startedAt} and {@code finishedAt} as
     * the coordinator records them, the worker's phases; one machine, one clock): posting to the {@code 202}, the
     * {@code 202} to the claim, the claim to the worker's sync done, the note applied, committed, the push landed
     * (with the pre-push check), the push to the report recorded, the report to the bot seeing {@code done}.
     */
    private static final List<String> STAGES = List.of(
            "POST -> 202",
            "-> claimed",
            "-> synced",
            "-> applied",
            "-> committed",
            "-> pushed (check, push)",
            "-> reported",
            "-> done seen");

    private final BenchContext ctx;

    EndToEnd(BenchContext ctx) {
        this.ctx = ctx;
    }

    /** {@code warmup} unrecorded notes (the first clone, the JIT), then {@code notes} timed. */
    Measurement run(int warmup, int notes) throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "e2e");
        Path remote = dir.resolve("remote.git");
        GitCli.seed(remote, dir.resolve("seed"));
        Map<Phase, Map<String, Instant>> phases = new EnumMap<>(Phase.class);
        for (Phase phase : WorkerGit.CYCLE_PHASES) {
            phases.put(phase, new ConcurrentHashMap<>());
        }
        PhaseListener listener = (phase, jobId) -> {
            Map<String, Instant> marks = phases.get(phase);
            if (marks != null) {
                marks.putIfAbsent(jobId, Instant.now());
            }
        };
        Stats total = new Stats();
        Map<String, Stats> stages = new LinkedHashMap<>();
        for (String stage : STAGES) {
            stages.put(stage, new Stats());
        }
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(2)) {
            api.registerKb(
                    new KbConfig(KB, remote.toUri().toString(), "main", new NotePathTemplate("notes/{slug}.md")));
            Vertx vertx = Vertx.vertx();
            WorkerProcess worker = HotKb.startWorker(vertx, server, dir.resolve("worker"), "e2e-worker", listener);
            try {
                long start = 0;
                for (int i = 0; i < warmup + notes; i++) {
                    if (i == warmup) {
                        start = System.nanoTime();
                    }
                    long t0 = System.nanoTime();
                    Instant posted = Instant.now();
                    Job job = api.submitNote(
                            KB, new NoteRequest("bench", "End-to-end note " + i + ".\n", "E2E note " + i, null, null));
                    Instant answered = Instant.now();
                    Job done = api.awaitJob(job.id(), DONE_WITHIN);
                    long t2 = System.nanoTime();
                    Instant seen = Instant.now();
                    if (done.state() != JobState.DONE) {
                        throw new IllegalStateException("job " + job.id() + " ended " + done.state());
                    }
                    // Outside the timing, as a git server does on its own (scenario 6).
                    WorkerGit.maintainRemote(remote, i + 1);
                    if (i >= warmup) {
                        total.record(t2 - t0);
                        List<Instant> marks = List.of(
                                posted,
                                answered,
                                done.startedAt(),
                                phases.get(Phase.PULLED).get(job.id()),
                                phases.get(Phase.APPLIED).get(job.id()),
                                phases.get(Phase.COMMITTED).get(job.id()),
                                phases.get(Phase.PUSHED).get(job.id()),
                                done.finishedAt(),
                                seen);
                        for (int s = 0; s < STAGES.size(); s++) {
                            stages.get(STAGES.get(s))
                                    .record(Duration.between(marks.get(s), marks.get(s + 1))
                                            .toNanos());
                        }
                    }
                }
                long elapsed = System.nanoTime() - start;
                return Measurement.of(
                                "kbsync POST /notes -> done seen on the job's stream (HTTP, coordinator, worker)",
                                total,
                                notes,
                                elapsed)
                        .withNote("p50 of each stage: "
                                + stages.entrySet().stream()
                                        .map(e -> String.format(
                                                Locale.ROOT,
                                                "%s %.2f ms",
                                                e.getKey(),
                                                e.getValue().p50Ms()))
                                        .collect(Collectors.joining("; ")));
            } finally {
                worker.stop();
                vertx.close().await(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The anchor: the worker's publish cycle alone on a fresh file remote of the same size, one note per cycle. */
    Measurement cycleAlone(int warmup, int notes) throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "e2e-anchor");
        Path remote = dir.resolve("remote.git");
        GitCli.seed(remote, dir.resolve("seed"));
        return new WorkerGit(ctx).cycleAlone(remote, warmup, notes);
    }

    static List<Measurement> both(BenchContext ctx) throws Exception {
        int warmup = ctx.quick() ? 10 : 300;
        int notes = ctx.quick() ? 30 : 300;
        EndToEnd scenario = new EndToEnd(ctx);
        Measurement alone = scenario.cycleAlone(warmup, notes);
        Measurement endToEnd = scenario.run(warmup, notes);
        return List.of(endToEnd, alone);
    }
}
