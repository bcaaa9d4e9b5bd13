package dev.kbsync.worker.process;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.metrics.ProcessMetrics;
import dev.kbsync.worker.client.JobReport;
import dev.kbsync.worker.run.CacheDisk;
import dev.kbsync.worker.run.CycleObserver;
import dev.kbsync.worker.run.CycleStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One worker's meters in its process registry: job counters, push rejections, the degraded gauge, the coordinator in
 * use and the moves between coordinators, the cache disk's free space, and the git-time histogram (names, labels and help texts pinned by MetricNamesIT).
 */
public final class WorkerMetrics {
    private final ProcessMetrics process;
    private final Counter done;
    private final Counter failed;
    private final Counter pushRejections;
    private final Counter rejectedCycles;
    private final Counter behindCycles;
    private final Counter remoteUnavailable;
    private final Timer git;
    private final KbsyncClient coordinators;

    WorkerMetrics(
            ProcessMetrics process,
            BooleanSupplier degraded,
            KbsyncClient coordinators,
            List<URI> urls,
            CacheDisk cache) {
        this.process = process;
        this.coordinators = coordinators;
        MeterRegistry registry = process.registry();
        this.done = counter(registry, "kbsync.worker.jobs.done", "Jobs reported done");
        this.failed = counter(registry, "kbsync.worker.jobs.failed", "Jobs reported failed");
        this.pushRejections = counter(registry, "kbsync.worker.push.rejections", "Non-fast-forward push rejections");
        this.rejectedCycles = counter(
                registry,
                "kbsync.worker.publish.cycles.rejected",
                "Publish cycles (jobs or group-commit batches) with a push rejected as non-fast-forward");
        this.behindCycles = counter(
                registry,
                "kbsync.worker.publish.cycles.behind",
                "Publish cycles that began behind the remote (another writer pushed since this checkout's last cycle)");
        this.remoteUnavailable = counter(
                registry,
                "kbsync.worker.remote.unavailable",
                "Tries that found a KB's git remote unreachable for now (refused, reset, timed out, HTTP 5xx, 408, 429)");
        Gauge.builder("kbsync.worker.degraded", degraded, d -> d.getAsBoolean() ? 1 : 0)
                .description("1 while the coordinator is unreachable")
                .strongReference(true)
                .register(registry);
        Gauge.builder("kbsync.worker.coordinator.index", coordinators, c -> urls.indexOf(c.coordinator()))
                .description("Position in coordinator.url of the coordinator in use (0 = the first)")
                .strongReference(true)
                .register(registry);
        Gauge.builder("kbsync.worker.cache.free", cache, CacheDisk::freeBytes)
                .description("Free space of the disk that holds cache.dir (-1: cannot be read)")
                .baseUnit("bytes")
                .strongReference(true)
                .register(registry);
        FunctionCounter.builder("kbsync.worker.coordinator.moves", coordinators, KbsyncClient::coordinatorMoves)
                .description("Moves from one coordinator to another (away and back)")
                .register(registry);
        this.git = Timer.builder("kbsync.worker.git")
                .description("Git time per publish cycle (a job or a group-commit batch)")
                .serviceLevelObjectives(ProcessMetrics.buckets(50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000))
                .register(registry);
    }

    void reported(JobReport report) {
        (report.done() ? done : failed).increment();
        pushRejections.increment(report.outcome().pushRejections());
    }

    /** What the publish cycles tell these meters. */
    CycleObserver cycles() {
        return new CycleObserver() {
            @Override
            public void ended(CycleStats stats) {
                cycle(stats);
            }

            @Override
            public void remoteUnavailable() {
                remoteUnavailable.increment();
            }
        };
    }

    /** One publish cycle (a job, or a group-commit batch): its git time and whether a push of it was rejected. */
    private void cycle(CycleStats cycle) {
        if (cycle.pushRejections() > 0) {
            rejectedCycles.increment();
        }
        if (cycle.behind()) {
            behindCycles.increment();
        }
        git.record(cycle.gitTime());
    }

    public long jobsDone() {
        return (long) done.count();
    }

    public long jobsFailed() {
        return (long) failed.count();
    }

    /** Moves from one coordinator to another so far (away and back). */
    public long coordinatorMoves() {
        return coordinators.coordinatorMoves();
    }

    /** Publish cycles so far (a group-commit batch is one). */
    public long publishCycles() {
        return git.count();
    }

    /** Publish cycles so far with at least one push rejected as non-fast-forward. */
    public long rejectedCycles() {
        return (long) rejectedCycles.count();
    }

    /** Publish cycles so far that began behind the remote (another writer had pushed to the KB since). */
    public long behindCycles() {
        return (long) behindCycles.count();
    }

    /** Mean git time per publish cycle so far (a group-commit batch is one). */
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
