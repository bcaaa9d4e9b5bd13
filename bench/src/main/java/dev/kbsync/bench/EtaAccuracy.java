package dev.kbsync.bench;

import dev.kbsync.api.AgentTaskRequest;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.QueueEntry;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.client.EventStream;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.event.QueueEvent;
import dev.kbsync.api.event.SnapshotEvent;
import dev.kbsync.worker.process.WorkerConfigLoader;
import dev.kbsync.worker.process.WorkerProcess;
import dev.kbsync.worker.run.PhaseListener;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Scenario E: how far the queue's ETA is from the real wait. Mixed traffic on a few KBs (notes, agent tasks run by a
 * real short agent command, raw leases held for a while), published by in-process workers to file remotes. Each KB's
 * queue snapshots (the stream the dashboard reads; a job's own record and events carry the same estimate) give every
 * waiter's predicted wait when it first shows up and again whenever its place or estimate changes; its real wait ends
 * when it leaves the waiters (granted, or running in a group commit). For each prediction made at time t: the error
 * is |etaMs - (start - t)| as a share of the waiter's whole real wait, and whether start - t stayed under etaP90Ms.
 */
final class EtaAccuracy {
    static final int KBS = 3;

    private final BenchContext ctx;

    EtaAccuracy(BenchContext ctx) {
        this.ctx = ctx;
    }

    /** One run's figures. */
    record Run(
            double medianErrorPercent, double underP90Percent, double underEtaPercent, int predictions, int waiters) {}

    /** An estimate, and for the dump what it was made of: the waiter's kind and place, the holder's kind and age. */
    record Prediction(String ticket, long atNanos, long etaMs, long p90Ms, String context) {}

    private record Seen(int position, long etaMs, long p90Ms) {}

    /**
     * {@code runs} runs on fresh KBs of one stack, each {@code warmup} seconds of traffic whose waiters are not scored
     * (the KBs' first holds: the workers' first checkouts, nothing measured yet) and then {@code seconds} scored; one
     * unscored round first warms the JVMs up (JIT) as the other scenarios' warm-up iterations do.
     */
    List<Run> run(int runs, int warmup, int seconds) throws Exception {
        Path dir = Files.createTempDirectory(ctx.scratch(), "eta");
        Path agent = dir.resolve("agent.sh");
        // A real short agent: reads its task (a duration) from stdin, works that long, writes one file.
        Files.writeString(
                agent, "#!/bin/sh\nd=$(head -c 16)\nsleep \"$d\"\necho \"worked $d s\" > \"agent-$(date +%s%N).md\"\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<Run> out = new ArrayList<>();
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient api = server.client(64)) {
            Vertx vertx = Vertx.vertx();
            List<WorkerProcess> workers = new ArrayList<>();
            try {
                for (int w = 0; w < 2; w++) {
                    workers.add(startWorker(vertx, server, dir.resolve("worker-" + w), "eta-w" + w, agent));
                }
                for (int r = -1; r < runs; r++) { // round -1 warms the JVMs and the workers up, unscored
                    List<KbId> kbs = new ArrayList<>();
                    for (int k = 0; k < KBS; k++) {
                        KbId kb = KbId.of("eta-" + (r + 1) + "-" + k);
                        Path bare = dir.resolve(kb.value() + ".git");
                        GitCli.seed(bare, dir.resolve(kb.value() + "-seed"));
                        api.registerKb(new KbConfig(
                                kb, bare.toUri().toString(), "main", new NotePathTemplate(HotKb.NOTE_PATH)));
                        kbs.add(kb);
                    }
                    Run run = once(api, kbs, warmup, r < 0 ? 0 : seconds, new Random(42 + r));
                    if (r >= 0) {
                        out.add(run);
                    }
                }
            } finally {
                workers.forEach(WorkerProcess::stop);
                vertx.close().await(30, TimeUnit.SECONDS);
            }
        }
        return out;
    }

    private Run once(KbsyncClient api, List<KbId> kbs, int warmup, int seconds, Random random) throws Exception {
        List<Prediction> predictions = new CopyOnWriteArrayList<>();
        long scoredFrom = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        Map<String, Long> started = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "eta-bench");
            t.setDaemon(true);
            return t;
        });
        List<EventStream<QueueEvent>> streams = new ArrayList<>();
        try {
            for (KbId kb : kbs) {
                EventStream<QueueEvent> events = api.queueEvents(kb);
                streams.add(events);
                pool.submit(() -> watch(kb, events, predictions, firstSeen, started));
            }
            long end = scoredFrom + TimeUnit.SECONDS.toNanos(seconds);
            List<java.util.concurrent.Future<?>> traffic = new ArrayList<>();
            for (KbId kb : kbs) {
                long seed = random.nextLong();
                traffic.add(pool.submit(() -> {
                    traffic(api, kb, end, new Random(seed), pool);
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> f : traffic) {
                f.get();
            }
            long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < drained && !kbs.stream().allMatch(kb -> idle(api.queue(kb)))) {
                Thread.sleep(100);
            }
            Thread.sleep(300);
        } finally {
            streams.forEach(EventStream::close);
            pool.shutdownNow();
        }
        return score(predictions, firstSeen, started, scoredFrom);
    }

    /** Poisson arrivals, about one per 1.2 s per KB: half notes, a fifth agent tasks, the rest raw leases. */
    private static void traffic(KbsyncClient api, KbId kb, long end, Random random, ExecutorService pool)
            throws InterruptedException {
        int n = 0;
        while (System.nanoTime() < end) {
            Thread.sleep((long) (-Math.log(1 - random.nextDouble()) * 1_200));
            double pick = random.nextDouble();
            n++;
            if (pick < 0.5) {
                api.submitNote(kb, NoteRequest.of("bench", "ETA note " + n + " on " + kb.value()));
            } else if (pick < 0.7) {
                String work = String.format(Locale.ROOT, "%.2f", 0.5 + random.nextDouble());
                api.submitAgentTask(kb, AgentTaskRequest.of("bench", work));
            } else {
                long holdMs = 500 + random.nextInt(1_500);
                pool.submit(() -> {
                    hold(api, kb, holdMs);
                    return null;
                });
            }
        }
    }

    private static void hold(KbsyncClient api, KbId kb, long holdMs) throws InterruptedException {
        Lease lease = api.requestLease(kb, LeaseRequest.of("bench").withTtl(Duration.ofSeconds(30)));
        if (lease.state() != LeaseState.GRANTED) {
            lease = api.awaitGrant(lease.id(), Duration.ofMinutes(2), ahead -> {});
        }
        Thread.sleep(holdMs);
        api.release(lease.id());
    }

    private static boolean idle(QueueSnapshot s) {
        return s.holder().isEmpty() && s.running().isEmpty() && s.waiters().isEmpty();
    }

    /** Records a prediction whenever a waiter shows up or its place or estimate changes; its start when it leaves. */
    private static void watch(
            KbId kb,
            EventStream<QueueEvent> events,
            List<Prediction> predictions,
            Map<String, Long> firstSeen,
            Map<String, Long> started) {
        Map<String, Seen> last = new HashMap<>();
        try {
            for (QueueEvent next : events) {
                if (!(next instanceof SnapshotEvent event)) {
                    continue; // the run's KBs are not removed
                }
                long now = System.nanoTime();
                Map<String, Seen> current = new HashMap<>();
                List<QueueEntry> waiters = event.snapshot().waiters();
                for (int i = 0; i < waiters.size(); i++) {
                    QueueEntry w = waiters.get(i);
                    String ticket = kb.value() + "/" + w.ticketId();
                    long eta = w.etaMs() == null ? 0 : w.etaMs();
                    long p90 = w.etaP90Ms() == null ? eta : w.etaP90Ms();
                    Seen seen = new Seen(i, eta, p90);
                    current.put(ticket, seen);
                    firstSeen.putIfAbsent(ticket, now);
                    if (!seen.equals(last.get(ticket))) {
                        predictions.add(new Prediction(ticket, now, eta, p90, context(event.snapshot(), w, i)));
                    }
                }
                last.keySet().stream().filter(t -> !current.containsKey(t)).forEach(t -> started.putIfAbsent(t, now));
                last = current;
            }
        } catch (RuntimeException closed) {
            // the stream was closed at the end of the run
        }
    }

    private static String context(QueueSnapshot s, QueueEntry w, int place) {
        String holder = s.holder()
                .map(h -> h.kind() + " held "
                        + (h.since() == null
                                ? "?"
                                : Duration.between(h.since(), Instant.now()).toMillis()) + " ms")
                .orElse("none");
        return "kind " + w.kind() + " place " + place + " running "
                + s.running().size() + " holder " + holder;
    }

    static Run score(
            List<Prediction> predictions, Map<String, Long> firstSeen, Map<String, Long> started, long scoredFrom) {
        List<Double> errors = new ArrayList<>();
        int underP90 = 0;
        int underEta = 0;
        for (Prediction p : predictions) {
            Long start = started.get(p.ticket());
            if (start == null || firstSeen.get(p.ticket()) < scoredFrom) {
                continue;
            }
            double wholeMs = (start - firstSeen.get(p.ticket())) / 1e6;
            double remainingMs = (start - p.atNanos()) / 1e6;
            if (wholeMs <= 0 || remainingMs < 0) {
                continue;
            }
            errors.add(Math.abs(p.etaMs() - remainingMs) / wholeMs * 100);
            if (Boolean.getBoolean("kbsync.bench.eta.dump")) {
                System.err.printf(
                        Locale.ROOT,
                        "eta %s whole %.0f remaining %.0f eta %d p90 %d %s%n",
                        p.ticket(),
                        wholeMs,
                        remainingMs,
                        p.etaMs(),
                        p.p90Ms(),
                        p.context());
            }
            underP90 += remainingMs <= p.p90Ms() ? 1 : 0;
            underEta += remainingMs <= p.etaMs() ? 1 : 0;
        }
        if (errors.isEmpty()) {
            return new Run(Double.NaN, Double.NaN, Double.NaN, 0, 0);
        }
        errors.sort(Double::compare);
        int n = errors.size();
        int waiters = (int) started.keySet().stream()
                .filter(t -> firstSeen.containsKey(t) && firstSeen.get(t) >= scoredFrom)
                .count();
        return new Run(errors.get(n / 2), 100.0 * underP90 / n, 100.0 * underEta / n, n, waiters);
    }

    private static WorkerProcess startWorker(Vertx vertx, KbsyncServer server, Path cache, String id, Path agent)
            throws Exception {
        Map<String, String> env = Map.of(
                "KBSYNC_COORDINATOR_URL",
                "http://127.0.0.1:" + server.port(),
                "KBSYNC_WORKER_ID",
                id,
                "KBSYNC_CACHE_DIR",
                cache.toString(),
                "KBSYNC_CONCURRENCY",
                "2",
                "KBSYNC_AGENT_COMMAND",
                agent.toString(),
                "KBSYNC_WORKER_HTTP_PORT",
                "0",
                "KBSYNC_POLL_WAIT",
                "2s",
                "KBSYNC_SHUTDOWN_GRACE",
                "5s");
        return WorkerProcess.start(vertx, WorkerConfigLoader.load(env), env, PhaseListener.NONE)
                .await(30, TimeUnit.SECONDS);
    }
}
