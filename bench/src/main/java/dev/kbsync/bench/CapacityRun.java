package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.api.client.Subscription;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One measurement of the capacity constants: a coordinator in a child JVM on one Redis process, loaded over HTTP by
 * {@link JobLoad}; Redis costs from INFO deltas, coordinator CPU from /proc, each less what the same time costs idle.
 */
final class CapacityRun {
    /** KBs the job load runs on (few: every registered KB adds sweep work that is subtracted as idle). */
    private static final int LOAD_KBS = 50;

    private final BenchContext ctx;
    private final int redisPort;
    private final int kbs;
    private final int jobs;
    private final int streams;

    CapacityRun(BenchContext ctx, int redisPort) {
        this.ctx = ctx;
        this.redisPort = redisPort;
        this.kbs = ctx.quick() ? 100 : 300;
        this.jobs = ctx.quick() ? 300 : 2000;
        this.streams = ctx.quick() ? 20 : 100;
    }

    CapacityConstants measure(String tag) throws Exception {
        Map<String, Double> v = new LinkedHashMap<>();
        List<String> loadKbs = KbsyncLeases.names("cap-" + tag + "-", LOAD_KBS);
        List<String> idleKbs = KbsyncLeases.names("idle-" + tag + "-", kbs);
        try (ChildCoordinator child = ChildCoordinator.start(ctx);
                KbsyncClient api = child.client(32)) {
            JobLoad load = new JobLoad(List.of(api), loadKbs);
            Window base = idle(child);
            v.put("redis.idleCallsPerSec", base.redis().calls() / base.seconds());
            v.put("redis.idleCpuMsPerSec", 1000 * base.redis().cpuSeconds() / base.seconds());
            v.put("coordinator.idleCpuMsPerSec", 1000 * base.coordinatorCpu() / base.seconds());

            CapacityKbs.register(List.of(api), loadKbs);
            // warm-up (unmeasured): the coordinator's JIT compiles the job path before its cost is read
            load.jobs(jobs / 2, 4, 8, tag + "warm");
            load.grants(jobs / 4, 4);
            Window quiet = idle(child);
            double idleCpu = quiet.coordinatorCpu() / quiet.seconds();
            double idleRedisCpu = quiet.redis().cpuSeconds() / quiet.seconds();
            double idleCalls = quiet.redis().calls() / quiet.seconds();

            Window w = start(child);
            JobLoad.Result run = load.jobs(jobs, 4, 8, tag + "j");
            Window job = settled(w);
            v.put("redis.callsPerJob", (job.redis().calls() - idleCalls * job.seconds()) / jobs);
            v.put("redis.scriptsPerJob", (double) job.redis().scripts() / jobs);
            v.put("redis.cpuMsPerJob", 1000 * (job.redis().cpuSeconds() - idleRedisCpu * job.seconds()) / jobs);
            v.put(
                    "redis.bytesPerJob",
                    (double) (job.redis().bytesIn() + job.redis().bytesOut()) / jobs);
            v.put("redis.bytesPerRetainedJob", (double) job.redis().usedMemory() / jobs);
            double coordinatorJob = job.coordinatorCpu() - idleCpu * job.seconds();
            v.put("coordinator.cpuMsPerJob", 1000 * coordinatorJob / jobs);
            v.put("coordinator.cpuMsPerRequest", 1000 * coordinatorJob / run.requests());
            v.put("client.cpuMsPerJob", 1000 * job.clientCpu() / jobs);

            int grants = jobs;
            w = start(child);
            JobLoad.Result granted = load.grants(grants, 4);
            Window grant = w.end();
            v.put("redis.callsPerGrant", (grant.redis().calls() - idleCalls * grant.seconds()) / grants);
            v.put("redis.cpuMsPerGrant", 1000 * (grant.redis().cpuSeconds() - idleRedisCpu * grant.seconds()) / grants);
            v.put(
                    "redis.bytesPerGrant",
                    (double) (grant.redis().bytesIn() + grant.redis().bytesOut()) / grants);
            v.put(
                    "coordinator.cpuMsPerGrantRequest",
                    1000 * (grant.coordinatorCpu() - idleCpu * grant.seconds()) / granted.requests());

            measureEvents(child, load, tag, v, idleCpu);

            w = start(child);
            load.queueOnly(jobs, 4, tag + "q");
            v.put("redis.bytesPerQueuedJob", (double) settled(w).redis().usedMemory() / jobs);

            w = start(child);
            CapacityKbs.register(List.of(api), idleKbs);
            v.put("redis.bytesPerKb", (double) settled(w).redis().usedMemory() / kbs);
            Window swept = idle(child);
            int all = LOAD_KBS + kbs;
            v.put(
                    "redis.sweepCallsPerKbSec",
                    (swept.redis().calls() / swept.seconds() - v.get("redis.idleCallsPerSec")) / all);
            v.put(
                    "redis.sweepCpuMsPerKbSec",
                    (1000 * swept.redis().cpuSeconds() / swept.seconds() - v.get("redis.idleCpuMsPerSec")) / all);
            v.put(
                    "coordinator.sweepCpuMsPerKbSec",
                    (1000 * swept.coordinatorCpu() / swept.seconds() - v.get("coordinator.idleCpuMsPerSec")) / all);
        }
        WorkerGit git = new WorkerGit(ctx);
        double cpu0 = ProcessCpu.self();
        int notes = ctx.quick() ? 20 : 100;
        Measurement publish = git.publishOverNetwork(0, notes);
        v.put("worker.notesPerSecPerKb", publish.perSecond());
        v.put("worker.cpuMsPerNote", 1000 * (ProcessCpu.self() - cpu0) / (notes + 1));
        return new CapacityConstants(v);
    }

    /** An idle stretch of {@link BenchContext#seconds()}. */
    private Window idle(ChildCoordinator child) throws InterruptedException {
        Window w = start(child);
        Thread.sleep(TimeUnit.SECONDS.toMillis(ctx.seconds()));
        return w.end();
    }

    /** The window's end 1 s after the load stopped (client buffers drained before memory is read). */
    static Window settled(Window w) throws InterruptedException {
        Thread.sleep(1000);
        return w.end();
    }

    /** {@code streams} streams follow the load's user while jobs run: coordinator CPU beyond the jobs' own, per event. */
    private void measureEvents(ChildCoordinator child, JobLoad load, String tag, Map<String, Double> v, double idleCpu)
            throws Exception {
        AtomicLong events = new AtomicLong();
        List<Subscription> subscriptions = new ArrayList<>();
        try (KbsyncClient watchers = KbsyncServer.client(child.port(), streams)) {
            for (int i = 0; i < streams; i++) {
                subscriptions.add(watchers.async()
                        .followUserJobs(JobLoad.USER, e -> events.incrementAndGet())
                        .await(30, TimeUnit.SECONDS));
            }
            int withEvents = jobs / 2;
            Window w = start(child);
            load.jobs(withEvents, 4, 8, tag + "e");
            Thread.sleep(1000); // the last events reach the streams
            Window e = w.end();
            subscriptions.forEach(Subscription::close);
            double beyondJobs =
                    e.coordinatorCpu() - idleCpu * e.seconds() - withEvents * v.get("coordinator.cpuMsPerJob") / 1000;
            v.put("coordinator.cpuMsPerEvent", 1000 * beyondJobs / Math.max(1, events.get()));
            v.put("coordinator.eventsPerJob", (double) events.get() / streams / withEvents);
        }
    }

    private Window start(ChildCoordinator child) {
        return Window.start(List.of(redisPort), List.of(child.pid()));
    }
}
