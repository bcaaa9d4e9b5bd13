package dev.kbsync.worker.process;

import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.run.CycleStats;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BooleanSupplier;

/** Counters and the git-time histogram of one worker, rendered in the Prometheus text format. */
public final class WorkerMetrics {
    private static final double[] BUCKETS = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

    private final AtomicLong done = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong pushRejections = new AtomicLong();
    private final AtomicLong rejectedCycles = new AtomicLong();
    private final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
    private final AtomicLong gitCount = new AtomicLong();
    private final AtomicLong gitNanos = new AtomicLong();
    private final BooleanSupplier degraded;

    WorkerMetrics(BooleanSupplier degraded) {
        this.degraded = degraded;
    }

    void reported(JobReport report) {
        (report.done() ? done : failed).incrementAndGet();
        pushRejections.addAndGet(report.outcome().pushRejections());
    }

    /** One publish cycle (a job, or a group-commit batch): its git time and whether a push of it was rejected. */
    void cycle(CycleStats cycle) {
        if (cycle.pushRejections() > 0) {
            rejectedCycles.incrementAndGet();
        }
        Duration time = cycle.gitTime();
        double seconds = time.toNanos() / 1e9;
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                buckets.incrementAndGet(i);
            }
        }
        gitCount.incrementAndGet();
        gitNanos.addAndGet(time.toNanos());
    }

    public long jobsDone() {
        return done.get();
    }

    public long jobsFailed() {
        return failed.get();
    }

    /** Publish cycles so far (a group-commit batch is one). */
    public long publishCycles() {
        return gitCount.get();
    }

    /** Publish cycles so far with at least one push rejected as non-fast-forward. */
    public long rejectedCycles() {
        return rejectedCycles.get();
    }

    /** Mean git time per job so far. */
    public Duration meanGitTime() {
        long count = gitCount.get();
        return count == 0 ? Duration.ZERO : Duration.ofNanos(gitNanos.get() / count);
    }

    String prometheus() {
        StringBuilder out = new StringBuilder();
        counter(out, "kbsync_worker_jobs_done_total", "Jobs reported done", done.get());
        counter(out, "kbsync_worker_jobs_failed_total", "Jobs reported failed", failed.get());
        counter(out, "kbsync_worker_push_rejections_total", "Non-fast-forward push rejections", pushRejections.get());
        counter(
                out,
                "kbsync_worker_publish_cycles_rejected_total",
                "Publish cycles (jobs or group-commit batches) with a push rejected as non-fast-forward",
                rejectedCycles.get());
        out.append("# HELP kbsync_worker_degraded 1 while the coordinator is unreachable\n")
                .append("# TYPE kbsync_worker_degraded gauge\n")
                .append("kbsync_worker_degraded ")
                .append(degraded.getAsBoolean() ? 1 : 0)
                .append('\n');
        out.append("# HELP kbsync_worker_git_seconds Git time per job\n# TYPE kbsync_worker_git_seconds histogram\n");
        for (int i = 0; i < BUCKETS.length; i++) {
            out.append(String.format(
                    Locale.ROOT, "kbsync_worker_git_seconds_bucket{le=\"%s\"} %d%n", BUCKETS[i], buckets.get(i)));
        }
        out.append("kbsync_worker_git_seconds_bucket{le=\"+Inf\"} ")
                .append(gitCount.get())
                .append('\n')
                .append(String.format(Locale.ROOT, "kbsync_worker_git_seconds_sum %.6f%n", gitNanos.get() / 1e9))
                .append("kbsync_worker_git_seconds_count ")
                .append(gitCount.get())
                .append('\n');
        return out.toString();
    }

    private static void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ")
                .append(name)
                .append(' ')
                .append(help)
                .append('\n')
                .append("# TYPE ")
                .append(name)
                .append(" counter\n")
                .append(name)
                .append(' ')
                .append(value)
                .append('\n');
    }
}
