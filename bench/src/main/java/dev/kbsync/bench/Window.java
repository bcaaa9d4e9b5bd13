package dev.kbsync.bench;

import java.util.List;

/**
 * A stretch of a capacity run: what Redis (the masters on {@code ports}), the coordinators ({@code pids}) and this JVM
 * (the load generator) did between {@link #start} and {@link #end}.
 */
record Window(
        List<Integer> ports,
        List<Long> pids,
        long startNanos,
        RedisSample redis,
        double coordinatorCpu,
        double clientCpu,
        double seconds) {
    static Window start(List<Integer> ports, List<Long> pids) {
        return new Window(ports, pids, System.nanoTime(), RedisSample.start(ports), cpu(pids), ProcessCpu.self(), 0);
    }

    /** The differences since the start (a start window's {@link #redis} holds the sample itself). */
    Window end() {
        return new Window(
                ports,
                pids,
                startNanos,
                RedisSample.end(ports).minus(redis),
                cpu(pids) - coordinatorCpu,
                ProcessCpu.self() - clientCpu,
                (System.nanoTime() - startNanos) / 1e9);
    }

    private static double cpu(List<Long> pids) {
        return pids.stream().mapToDouble(ProcessCpu::seconds).sum();
    }
}
