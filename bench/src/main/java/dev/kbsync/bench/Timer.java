package dev.kbsync.bench;

import java.util.List;

/** Runs a timed loop and feeds a {@link Stats}. */
final class Timer {
    private Timer() {}

    interface Op {
        void run() throws Exception;
    }

    /** {@code warmup} untimed runs, then {@code n} timed runs; returns the measurement. */
    static Measurement loop(String subject, int warmup, int n, Op op) throws Exception {
        for (int i = 0; i < warmup; i++) {
            op.run();
        }
        Stats stats = new Stats();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            op.run();
            stats.record(System.nanoTime() - t0);
        }
        return Measurement.of(subject, stats, n, System.nanoTime() - start);
    }

    /**
     * Two operations timed side by side: {@code warmup} untimed runs of each, then {@code n} timed runs of each, one of
     * {@code a} then one of {@code b}, so that neither gains from running later (a warmer JIT, a quieter moment). Each
     * measurement's rate counts only its own operations' time.
     */
    static List<Measurement> alternating(String subjectA, Op a, String subjectB, Op b, int warmup, int n)
            throws Exception {
        for (int i = 0; i < warmup; i++) {
            a.run();
            b.run();
        }
        Stats statsA = new Stats();
        Stats statsB = new Stats();
        long totalA = 0;
        long totalB = 0;
        for (int i = 0; i < n; i++) {
            totalA += timed(a, statsA);
            totalB += timed(b, statsB);
        }
        return List.of(Measurement.of(subjectA, statsA, n, totalA), Measurement.of(subjectB, statsB, n, totalB));
    }

    private static long timed(Op op, Stats stats) throws Exception {
        long t0 = System.nanoTime();
        op.run();
        long took = System.nanoTime() - t0;
        stats.record(took);
        return took;
    }
}
