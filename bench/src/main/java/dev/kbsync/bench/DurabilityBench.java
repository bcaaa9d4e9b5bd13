package dev.kbsync.bench;

import dev.kbsync.api.KbId;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.redis.Fsync;
import dev.kbsync.redis.RedisProcess;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What a durable {@code 202} costs: note submissions ({@code POST /v1/kbs/{kb}/notes}) to a coordinator whose Redis
 * keeps an append-only file fsynced before every answer ({@code always}, the {@code kbsync up} default), once a second
 * ({@code everysec}), or keeps nothing (the bench's own Redis). One client submitting one note at a time (latency),
 * then {@link #CLIENTS} clients at once for a fixed time (throughput). No worker runs: the jobs stay queued.
 */
final class DurabilityBench {
    static final int CLIENTS = 16;

    private final BenchContext ctx;

    DurabilityBench(BenchContext ctx) {
        this.ctx = ctx;
    }

    List<Measurement> run() throws Exception {
        List<Measurement> rows = new ArrayList<>();
        for (Fsync fsync : Fsync.values()) {
            String redis = "AOF appendfsync " + fsync.directive();
            try (RedisProcess aof = RedisProcess.startPersistent(
                    Files.createTempDirectory(ctx.scratch(), "aof-" + fsync.directive()), fsync)) {
                rows.addAll(measure(aof.uri(), redis));
            }
        }
        rows.addAll(measure(ctx.redisUri(), "no persistence"));
        return rows;
    }

    private List<Measurement> measure(String redisUri, String redis) throws Exception {
        try (KbsyncServer server = KbsyncServer.start(redisUri);
                KbsyncClient api = server.client(CLIENTS)) {
            KbId kb = KbId.of("d-" + redis.replaceAll("[^a-z]", ""));
            KbsyncLeases.register(api, List.of(kb.value()));
            AtomicLong n = new AtomicLong();
            Timer.Op submit = () -> api.submitNote(kb, note(n.incrementAndGet()));
            Measurement one = Timer.loop(
                    "kbsync POST note -> 202, 1 client, Redis " + redis,
                    ctx.scaled(LockAnchors.WARMUP),
                    ctx.scaled(1000),
                    submit);
            return List.of(one, concurrent(redis, submit));
        }
    }

    private Measurement concurrent(String redis, Timer.Op submit) throws Exception {
        Stats stats = new Stats();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(ctx.seconds());
        List<Future<?>> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            clients.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    submit.run();
                    stats.record(System.nanoTime() - t0);
                }
                return null;
            }));
        }
        for (Future<?> client : clients) {
            client.get();
        }
        pool.shutdown();
        return Measurement.of(
                "kbsync POST note -> 202, " + CLIENTS + " clients, Redis " + redis,
                stats,
                stats.count(),
                System.nanoTime() - start);
    }

    private static NoteRequest note(long i) {
        return NoteRequest.of("bench", "note " + i + " for the durability bench");
    }
}
