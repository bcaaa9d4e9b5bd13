package dev.kbsync.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/** Aggregate grants/s: {@code workers} threads lock+unlock a random one of {@code kbs} locks for a fixed time. */
final class ManyKbs {
    private ManyKbs() {}

    /** Creates the mutex worker {@code thread} uses for KB number {@code kb}. */
    interface Locks {
        Mutex of(int thread, int kb);
    }

    static Measurement run(String subject, int kbs, int workers, int seconds, Locks locks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            Stats stats = new Stats();
            List<Future<?>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int w = 0; w < workers; w++) {
                int thread = w;
                futures.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline) {
                        Mutex mutex =
                                locks.of(thread, ThreadLocalRandom.current().nextInt(kbs));
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
            return Measurement.of(
                    subject + ", " + kbs + " KBs x " + workers + " workers",
                    stats,
                    stats.count(),
                    System.nanoTime() - start);
        } finally {
            pool.shutdown();
        }
    }
}
