package dev.kbsync.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Aggregate grants/s: {@code workers} threads lock+unlock a random one of {@code kbs} locks for a fixed time, after
 * {@code warmupSeconds} of the same untimed, so that no side is measured while its code is being compiled.
 */
final class ManyKbs {
    private ManyKbs() {}

    /** Creates the mutex worker {@code thread} uses for KB number {@code kb}. */
    interface Locks {
        Mutex of(int thread, int kb);
    }

    static Measurement run(String subject, int kbs, int workers, int warmupSeconds, int seconds, Locks locks)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            round(pool, kbs, workers, warmupSeconds, locks, new Stats());
            Stats stats = new Stats();
            long start = System.nanoTime();
            round(pool, kbs, workers, seconds, locks, stats);
            return Measurement.of(
                    subject + ", " + kbs + " KBs x " + workers + " workers",
                    stats,
                    stats.count(),
                    System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }

    private static void round(ExecutorService pool, int kbs, int workers, int seconds, Locks locks, Stats stats)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int thread = w;
            futures.add(pool.submit(() -> {
                while (System.nanoTime() < deadline) {
                    Mutex mutex = locks.of(thread, ThreadLocalRandom.current().nextInt(kbs));
                    long t0 = System.nanoTime();
                    mutex.lock();
                    mutex.unlock();
                    stats.record(System.nanoTime() - t0);
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
    }
}
