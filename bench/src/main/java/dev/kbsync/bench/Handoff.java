package dev.kbsync.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Handoff latency: {@code threads} contenders loop lock/unlock on one lock; each grant records the time from the
 * previous holder's unlock call to its own lock returning. Throughput is grants per second over the whole run.
 */
final class Handoff {
    private Handoff() {}

    static Measurement run(String subject, int threads, int grants, IntFunction<Mutex> mutexForThread)
            throws Exception {
        AtomicLong releasedAt = new AtomicLong();
        AtomicLong remaining = new AtomicLong(grants);
        Stats stats = new Stats();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Mutex mutex = mutexForThread.apply(t);
            futures.add(pool.submit(() -> contend(mutex, releasedAt, remaining, stats)));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        long elapsed = System.nanoTime() - start;
        pool.shutdown();
        return Measurement.of(subject, stats, stats.count(), elapsed);
    }

    private static Void contend(Mutex mutex, AtomicLong releasedAt, AtomicLong remaining, Stats stats)
            throws Exception {
        while (true) {
            mutex.lock();
            long now = System.nanoTime();
            long previous = releasedAt.getAndSet(0);
            boolean more = remaining.decrementAndGet() >= 0;
            if (previous != 0 && more) {
                stats.record(now - previous);
            }
            releasedAt.set(System.nanoTime());
            mutex.unlock();
            if (!more) {
                return null;
            }
        }
    }
}
