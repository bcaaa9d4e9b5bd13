package dev.kbsync.worker.process;

import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.worker.client.JobReport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One worker's meters in its process registry: job counters, push rejections, the degraded gauge and the git-time
 * histogram (names, labels and help texts pinned by MetricNamesIT).
 */
public final class WorkerMetrics {
    private final ProcessMetrics process;
    private final Counter done;
    private final Counter failed;
    private final Counter pushRejections;
    private final Timer git;

    WorkerMetrics(ProcessMetrics process, BooleanSupplier degraded) {
        this.process = process;
        MeterRegistry registry = process.registry();
        this.done = counter(registry, "kbsync.worker.jobs.done", "Jobs reported done");
        this.failed = counter(registry, "kbsync.worker.jobs.failed", "Jobs reported failed");
        this.pushRejections = counter(registry, "kbsync.worker.push.rejections", "Non-fast-forward push rejections");
        Gauge.builder("kbsync.worker.degraded", degraded, d -> d.getAsBoolean() ? 1 : 0)
                .description("1 while the coordinator is unreachable")
                .strongReference(true)
                .register(registry);
        this.git = Timer.builder("kbsync.worker.git")
                .description("Git time per job")
                .serviceLevelObjectives(
                        Duration.ofMillis(50),
                        Duration.ofMillis(100),
                        Duration.ofMillis(250),
                        Duration.ofMillis(500),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(2500),
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(30))
                .register(registry);
    }

    void reported(JobReport report) {
        (report.done() ? done : failed).increment();
        pushRejections.increment(report.outcome().pushRejections());
    }

    /** Git time of one job (all its pulls, commits and pushes). */
    void gitTime(Duration time) {
        git.record(time);
    }

    public long jobsDone() {
        return (long) done.count();
    }

    public long jobsFailed() {
        return (long) failed.count();
    }

    /** Mean git time per job so far. */
    public Duration meanGitTime() {
        return Duration.ofNanos((long) git.mean(TimeUnit.NANOSECONDS));
    }

    /** Every meter of the worker process in Prometheus text format 0.0.4. */
    String prometheus() {
        return process.scrape();
    }

    private static Counter counter(MeterRegistry registry, String name, String help) {
        return Counter.builder(name).description(help).register(registry);
    }
}
