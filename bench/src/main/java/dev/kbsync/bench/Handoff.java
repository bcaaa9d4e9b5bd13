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
 * previous holder's unlock call to its own lock returning. Throughput is the grants counted per second, from the timed
 * run's start to the last of them returning (each contender's one more grant, which only tells it the run is over, is
 * neither counted nor timed: the kbsync rows and the Curator and Redisson anchors all go through here). The same
 * contenders first take {@code warmup} grants untimed, so that no side is measured while its code is being compiled or
 * its connections opened.
 */
final class Handoff {
    private Handoff() {}

    static Measurement run(String subject, int threads, int warmup, int grants, IntFunction<Mutex> mutexForThread)
            throws Exception {
        List<Mutex> mutexes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            mutexes.add(mutexForThread.apply(t));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            round(pool, mutexes, warmup, new Stats());
            Stats stats = new Stats();
            long start = System.nanoTime();
            long lastGrant = round(pool, mutexes, grants, stats);
            return Measurement.of(subject, stats, grants, lastGrant - start);
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Every contender loops until {@code grants} grants were taken in all; returns when the last of them was (each
     * contender then takes one more grant to learn that the round is over: neither counted nor timed).
     */
    private static long round(ExecutorService pool, List<Mutex> mutexes, int grants, Stats stats) throws Exception {
        AtomicLong releasedAt = new AtomicLong();
        AtomicLong remaining = new AtomicLong(grants);
        AtomicLong lastGrant = new AtomicLong();
        List<Future<?>> futures = new ArrayList<>();
        for (Mutex mutex : mutexes) {
            futures.add(pool.submit(() -> contend(mutex, releasedAt, remaining, lastGrant, stats)));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        return lastGrant.get();
    }

    private static Void contend(
            Mutex mutex, AtomicLong releasedAt, AtomicLong remaining, AtomicLong lastGrant, Stats stats)
            throws Exception {
        while (true) {
            mutex.lock();
            long now = System.nanoTime();
            long previous = releasedAt.getAndSet(0);
            long left = remaining.decrementAndGet();
            boolean more = left >= 0;
            if (previous != 0 && more) {
                stats.record(now - previous);
            }
            if (left == 0) {
                lastGrant.set(now);
            }
            releasedAt.set(System.nanoTime());
            mutex.unlock();
            if (!more) {
                return null;
            }
        }
    }
}
