package dev.kbsync.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The capacity model of docs/capacity.md as code: from the measured constants and a load, what the load costs (Redis
 * CPU and memory, coordinator CPU, worker CPU and slots) and how many Redis shards, coordinators and workers carry it
 * at the planning utilization. The page's worked example is this class's output.
 */
record CapacityModel(CapacityConstants c, Budget budget) {
    /**
     * What one unit may use: {@code utilization} of a core (Redis runs commands on one thread; coordinators and workers
     * on {@code cores} cores each), {@code shardMemoryBytes} of data per Redis master, {@code workerSlots} poll slots
     * per worker process, {@code keepAliveSeconds} between keep-alive comments on an idle stream, and
     * {@code retentionHours} that finished jobs are kept.
     */
    record Budget(
            double utilization,
            int coordinatorCores,
            int workerCores,
            double shardMemoryBytes,
            int workerSlots,
            double keepAliveSeconds,
            double retentionHours) {
        static Budget defaults() {
            return new Budget(0.5, 2, 2, 4.0 * (1L << 30), 2, 15, 168);
        }
    }

    /** KBs, notes per day, peak / mean rate, open event streams, jobs queued at the peak. */
    record Load(long kbs, double notesPerDay, double peakFactor, long streams, long queuedAtPeak) {
        double peakJobsPerSecond() {
            return notesPerDay / 86_400 * peakFactor;
        }
    }

    /**
     * Every intermediate quantity and the three answers, by name, in the order the page shows them. Every coordinator
     * sweeps every registered KB, so that part of its CPU (and of Redis's) grows with KBs x coordinators; when one
     * coordinator's sweep alone exceeds its budget no number of coordinators carries the load (infinity).
     */
    Map<String, Double> plan(Load load) {
        Map<String, Double> out = new LinkedHashMap<>();
        double rate = load.peakJobsPerSecond();
        out.put("peak jobs/s", rate);

        // KBs with queued work at the peak (at most one per queued job) are swept every pass, the rest when due
        long busy = Math.min(load.kbs(), load.queuedAtPeak());
        double sweep = coordinatorSweepCores(1, load.kbs(), busy);
        out.put("sweep CPU per coordinator (cores)", sweep);
        double events = rate * c.get("coordinator.eventsPerJob") + load.streams() / budget.keepAliveSeconds();
        out.put("SSE events + keep-alives/s at peak", events);
        double work =
                rate * c.get("coordinator.cpuMsPerJob") / 1000 + events * c.get("coordinator.cpuMsPerEvent") / 1000;
        out.put("coordinator CPU for the load (cores)", work);
        double perCoordinator = budget.utilization() * budget.coordinatorCores();
        double coordinators = sweep >= perCoordinator
                ? Double.POSITIVE_INFINITY
                : Math.max(2, Math.ceil(work / (perCoordinator - sweep)));
        out.put("coordinators", coordinators);

        double n = Double.isInfinite(coordinators) ? 2 : coordinators;
        double redisSweep = redisSweepCores((int) n, load.kbs(), busy);
        double redisCpu = rate * c.get("redis.cpuMsPerJob") / 1000 + redisSweep;
        out.put("Redis CPU at peak, sweeps included (cores)", redisCpu);
        out.put(
                "Redis commands/s at peak",
                rate * c.get("redis.callsPerJob")
                        + n
                                * (c.get("redis.idleCallsPerSec")
                                        + load.kbs() * c.get("redis.sweepCallsPerKbSec")
                                        + busy * c.get("redis.busySweepCallsPerKbSec")));
        out.put("Redis network for the jobs (MB/s)", rate * c.get("redis.bytesPerJob") / 1e6);
        double retained = load.notesPerDay() * budget.retentionHours() / 24;
        double memory = load.kbs() * (c.get("redis.bytesPerKb") + c.get("redis.bytesPerKbWithJobs"))
                + retained * c.get("redis.bytesPerRetainedJob")
                + Math.min(load.kbs(), load.queuedAtPeak()) * c.get("redis.bytesPerKbWithQueue")
                + load.queuedAtPeak() * c.get("redis.bytesPerQueuedJob");
        out.put("finished jobs retained", retained);
        out.put("Redis memory (GiB)", memory / (1L << 30));
        double shards =
                Math.max(Math.ceil(redisCpu / budget.utilization()), Math.ceil(memory / budget.shardMemoryBytes()));
        out.put("Redis shards (masters)", Math.max(1, shards));

        double workerCpu = rate * c.get("worker.cpuMsPerNote") / 1000;
        out.put("worker CPU at peak (cores)", workerCpu);
        double slots = rate / c.get("worker.notesPerSecPerKb");
        out.put("worker slots busy at peak", slots);
        double workers = Math.max(
                Math.ceil(workerCpu / (budget.utilization() * budget.workerCores())),
                Math.ceil(slots / (budget.utilization() * budget.workerSlots())));
        out.put("workers", Math.max(2, workers));
        return out;
    }

    /** CPU per second (cores) that {@code coordinators} idle coordinators with {@code kbs} quiet KBs cost Redis. */
    double redisSweepCores(int coordinators, long kbs) {
        return redisSweepCores(coordinators, kbs, 0);
    }

    /** As {@link #redisSweepCores(int, long)}, {@code busy} of the KBs with queued work (swept every pass). */
    double redisSweepCores(int coordinators, long kbs, long busy) {
        return sweepCores("redis", coordinators, kbs, busy);
    }

    /** Redis commands per second {@code coordinators} idle coordinators with {@code kbs} KBs send. */
    double redisSweepCalls(int coordinators, long kbs) {
        return coordinators * (c.get("redis.idleCallsPerSec") + kbs * c.get("redis.sweepCallsPerKbSec"));
    }

    /** CPU per second (cores) of {@code coordinators} idle coordinators with {@code kbs} KBs. */
    double coordinatorSweepCores(int coordinators, long kbs) {
        return coordinatorSweepCores(coordinators, kbs, 0);
    }

    /** As {@link #coordinatorSweepCores(int, long)}, {@code busy} of the KBs with queued work. */
    double coordinatorSweepCores(int coordinators, long kbs, long busy) {
        return sweepCores("coordinator", coordinators, kbs, busy);
    }

    /**
     * The idle and sweep CPU ({@code of}: redis or coordinator) of {@code coordinators} coordinators, in cores. A
     * constant measured below zero (a cost within noise of zero, measured as a difference) counts as zero.
     */
    private double sweepCores(String of, int coordinators, long kbs, long busy) {
        return coordinators
                * (cost(of + ".idleCpuMsPerSec")
                        + kbs * cost(of + ".sweepCpuMsPerKbSec")
                        + busy * cost(of + ".busySweepCpuMsPerKbSec"))
                / 1000;
    }

    private double cost(String constant) {
        return Math.max(0, c.get(constant));
    }
}
