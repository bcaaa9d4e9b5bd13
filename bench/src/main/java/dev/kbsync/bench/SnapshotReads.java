package dev.kbsync.bench;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.Lease;
import dev.kbsync.api.LeaseRequest;
import dev.kbsync.api.LeaseState;
import dev.kbsync.api.NoteRequest;
import dev.kbsync.api.QueueSnapshot;
import dev.kbsync.api.ReadQuery;
import dev.kbsync.api.client.KbsyncClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Constants;

/**
 * Scenario R: reads while the KB is busy. A raw lease holds the KB's lock for the whole run (heartbeaten) and 16 note
 * jobs wait behind it (no worker runs them); {@code readers} threads read random files of the KB
 * ({@code GET /v1/kbs/{kb}/files/{path}}, the Java client), paced or back to back. Latency per read; afterwards the
 * same holder and the same 16 waiters must still be in place (no read waited for, or took, the lock).
 */
final class SnapshotReads {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final int FILES = 200;

    private SnapshotReads() {}

    /**
     * {@code readers} threads, each reading one file every {@code everyMillis} (0: back to back, which measures the
     * machine's read throughput rather than a bot's wait).
     */
    static Measurement run(BenchContext ctx, int writers, int readers, int everyMillis, int seconds) throws Exception {
        KbId kb = KbId.of("busy-" + RUNS.incrementAndGet() + "-" + System.nanoTime() % 100_000);
        Path remote = remote(ctx.scratch().resolve("reads-" + kb.value()));
        try (KbsyncServer server = KbsyncServer.start(ctx.redisUri());
                KbsyncClient client = server.client(readers)) {
            client.registerKb(new KbConfig(kb, remote.toString(), "main"));
            Lease holder = client.requestLease(kb, new LeaseRequest("holder", Duration.ofSeconds(30)));
            if (holder.state() != LeaseState.GRANTED) {
                throw new IllegalStateException("the holder was not granted: " + holder);
            }
            for (int i = 0; i < writers; i++) {
                client.submitNote(kb, NoteRequest.of("writer-" + i, "queued note " + i));
            }
            client.readFile(kb, path(0), ReadQuery.latest()); // the mirror's first fetch
            for (int i = 0; i < 2_000; i++) { // warm-up (JIT), not timed
                client.readFile(kb, path(i % FILES), ReadQuery.latest());
            }
            ExecutorService pool = Executors.newFixedThreadPool(readers + 1);
            try {
                Stats stats = new Stats();
                long start = System.nanoTime();
                long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
                Future<?> heartbeats = pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        client.heartbeat(holder.id());
                        Thread.sleep(2_000);
                    }
                    return null;
                });
                List<Future<?>> futures = new ArrayList<>();
                for (int r = 0; r < readers; r++) {
                    futures.add(pool.submit(() -> {
                        while (System.nanoTime() < deadline) {
                            String path = path(ThreadLocalRandom.current().nextInt(FILES));
                            long t0 = System.nanoTime();
                            client.readFile(kb, path, ReadQuery.latest());
                            long took = System.nanoTime() - t0;
                            stats.record(took);
                            long pause = TimeUnit.MILLISECONDS.toNanos(everyMillis) - took;
                            if (pause > 0) {
                                TimeUnit.NANOSECONDS.sleep(
                                        pause / 2 + ThreadLocalRandom.current().nextLong(pause));
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
                long elapsed = System.nanoTime() - start;
                heartbeats.get();
                QueueSnapshot queue = client.queue(kb);
                String holding = queue.holder().map(h -> h.holder()).orElse("nobody");
                if (!"holder".equals(holding) || queue.waiters().size() != writers) {
                    throw new IllegalStateException("the lock changed hands during the reads: " + queue.toJson());
                }
                client.release(holder.id());
                return Measurement.of(
                        "GET files, " + readers + " readers"
                                + (everyMillis > 0 ? " (each every ~" + everyMillis + " ms)" : " back to back")
                                + "; the KB held, " + writers + " writers queued",
                        stats,
                        stats.count(),
                        elapsed);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static String path(int i) {
        return "notes/" + (i % 10) + "/note-" + i + ".md";
    }

    /** A bare remote whose main branch holds {@link #FILES} notes of a few KiB. */
    private static Path remote(Path dir) throws Exception {
        Path bare = dir.resolve("busy.git");
        Git.init().setBare(true).setDirectory(bare.toFile()).call().close();
        try (Git work = Git.cloneRepository()
                .setURI(bare.toString())
                .setDirectory(dir.resolve("work").toFile())
                .call()) {
            work.getRepository().updateRef(Constants.HEAD).link("refs/heads/main");
            String body = "A line of a note, as a bot would write it.\n".repeat(60);
            for (int i = 0; i < FILES; i++) {
                Path file = dir.resolve("work").resolve(path(i));
                Files.createDirectories(file.getParent());
                Files.writeString(file, "# Note " + i + "\n\n" + body, StandardCharsets.UTF_8);
            }
            work.add().addFilepattern(".").call();
            work.commit()
                    .setMessage("Add notes")
                    .setAuthor("bench", "bench@example.com")
                    .call();
            work.push().setRemote("origin").add("main").call();
        }
        return bare;
    }
}
