package dev.kbsync.bench;

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
}
