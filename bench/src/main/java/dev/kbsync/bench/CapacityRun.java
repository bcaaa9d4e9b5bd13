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
 * One measurement of the capacity constants on the {@link CapacityTopology} (a 3-master Redis Cluster, two coordinators
 * in child JVMs), loaded over HTTP by {@link JobLoad} spread over both coordinators; Redis costs from INFO deltas summed
 * over the masters, coordinator CPU from /proc summed over both, each less what the same time costs idle. The idle and
 * sweep constants are per coordinator (the measured total over the coordinators); the per-job and per-grant ones are
 * what the deployment as a whole spends (both coordinators' share included: each hears the other's queue changes).
 */
final class CapacityRun {
    /** KBs the job load runs on (few: every registered KB adds sweep work that is subtracted as idle). */
    private static final int LOAD_KBS = 50;

    private static final int C = CapacityTopology.COORDINATORS;
    private static final long SETTLE_MS = 10_000;

    private final BenchContext ctx;
    private final int kbs;
    private final int jobs;
    private final int streams;

    CapacityRun(BenchContext ctx) {
        this.ctx = ctx;
        this.kbs = ctx.quick() ? 100 : 300;
        this.jobs = ctx.quick() ? 300 : 2000;
        this.streams = ctx.quick() ? 20 : 100;
    }

    CapacityConstants measure(String tag) throws Exception {
        Map<String, Double> v = new LinkedHashMap<>();
        List<String> loadKbs = KbsyncLeases.names("cap-" + tag + "-", LOAD_KBS);
        List<String> idleKbs = KbsyncLeases.names("idle-" + tag + "-", kbs);
        try (CapacityTopology child = CapacityTopology.start(ctx, "cap-" + tag)) {
            List<KbsyncClient> api = child.clients();
            JobLoad load = new JobLoad(api, loadKbs);
            Thread.sleep(SETTLE_MS); // the start's JIT compilation and first cluster scans out of the baseline
            Window base = idle(child);
            v.put("redis.idleCallsPerSec", base.redis().calls() / base.seconds() / C);
            v.put("redis.idleCpuMsPerSec", 1000 * base.redis().cpuSeconds() / base.seconds() / C);
            v.put("coordinator.idleCpuMsPerSec", 1000 * base.coordinatorCpu() / base.seconds() / C);

            CapacityKbs.register(api, loadKbs);
            // warm-up (unmeasured): the coordinator's JIT compiles the job path before its cost is read
            load.jobs(jobs / 2, 4, 8, tag + "warm");
            load.grants(jobs / 4, 4);
            Window quiet = idle(child);
            double idleCpu = quiet.coordinatorCpu() / quiet.seconds();
            double idleRedisCpu = quiet.redis().cpuSeconds() / quiet.seconds();
            double idleCalls = quiet.redis().calls() / quiet.seconds();

            Window w = child.window();
            JobLoad.Result run = load.jobs(jobs, 4, 8, tag + "j");
            Window job = settled(w);
            v.put("redis.callsPerJob", (job.redis().calls() - idleCalls * job.seconds()) / jobs);
            v.put("redis.scriptsPerJob", (double) job.redis().scripts() / jobs);
            v.put("redis.cpuMsPerJob", 1000 * (job.redis().cpuSeconds() - idleRedisCpu * job.seconds()) / jobs);
            v.put(
                    "redis.bytesPerJob",
                    (double) (job.redis().bytesIn() + job.redis().bytesOut()) / jobs);
            v.put("redis.bytesPerRetainedJob", (double) job.redis().dataMemory() / jobs);
            double coordinatorJob = job.coordinatorCpu() - idleCpu * job.seconds();
            v.put("coordinator.cpuMsPerJob", 1000 * coordinatorJob / jobs);
            v.put("coordinator.cpuMsPerRequest", 1000 * coordinatorJob / run.requests());
            v.put("client.cpuMsPerJob", 1000 * job.clientCpu() / jobs);

            int grants = jobs;
            w = child.window();
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

            w = child.window();
            CapacityKbs.register(api, idleKbs);
            v.put("redis.bytesPerKb", (double) settled(w).redis().dataMemory() / kbs);
            // steady state: every new KB swept once and found quiet (then swept again at most every 5 s), the sweep's
            // paths compiled; then a window twice as long as the others (an idle KB is swept every 2.5-5 s)
            Thread.sleep(SETTLE_MS);
            Window w2 = child.window();
            Thread.sleep(2 * TimeUnit.SECONDS.toMillis(ctx.seconds()));
            Window swept = w2.end();
            int all = LOAD_KBS + kbs;
            v.put(
                    "redis.sweepCallsPerKbSec",
                    (swept.redis().calls() / swept.seconds() / C - v.get("redis.idleCallsPerSec")) / all);
            v.put(
                    "redis.sweepCpuMsPerKbSec",
                    (1000 * swept.redis().cpuSeconds() / swept.seconds() / C - v.get("redis.idleCpuMsPerSec")) / all);
            v.put(
                    "coordinator.sweepCpuMsPerKbSec",
                    (1000 * swept.coordinatorCpu() / swept.seconds() / C - v.get("coordinator.idleCpuMsPerSec")) / all);

            // what a KB's first finished job and first queued job add beyond a job's own bytes (the KB's job records,
            // retention and index sets, its queue): one job on each fresh KB, then one more queued on each twice
            JobLoad fresh = new JobLoad(api, idleKbs);
            w = child.window();
            fresh.jobs(kbs, 4, 8, tag + "f");
            double first = settled(w).redis().dataMemory();
            v.put("redis.bytesPerKbWithJobs", (first - kbs * v.get("redis.bytesPerRetainedJob")) / kbs);
            w = child.window();
            fresh.queueOnly(kbs, 4, tag + "q1");
            double firstQueued = settled(w).redis().dataMemory();
            w = child.window();
            fresh.queueOnly(kbs, 4, tag + "q2");
            double nextQueued = settled(w).redis().dataMemory();
            v.put("redis.bytesPerQueuedJob", nextQueued / kbs);
            v.put("redis.bytesPerKbWithQueue", (firstQueued - nextQueued) / kbs);

            // a KB with queued work (here: two jobs no worker takes) is never quiet: every coordinator sweeps it every
            // pass; what that costs per KB beyond the quiet sweep of the window before
            Thread.sleep(2000);
            w = child.window();
            Thread.sleep(2 * TimeUnit.SECONDS.toMillis(ctx.seconds()));
            Window busy = w.end();
            v.put(
                    "redis.busySweepCallsPerKbSec",
                    (busy.redis().calls() / busy.seconds() - swept.redis().calls() / swept.seconds()) / C / kbs);
            v.put(
                    "redis.busySweepCpuMsPerKbSec",
                    1000
                            * (busy.redis().cpuSeconds() / busy.seconds()
                                    - swept.redis().cpuSeconds() / swept.seconds())
                            / C
                            / kbs);
            v.put(
                    "coordinator.busySweepCpuMsPerKbSec",
                    1000
                            * (busy.coordinatorCpu() / busy.seconds() - swept.coordinatorCpu() / swept.seconds())
                            / C
                            / kbs);
        }
        WorkerGit git = new WorkerGit(ctx);
        WorkerGit.Publishing publish = git.publishOverNetworkWithCpu(0, ctx.quick() ? 20 : 100);
        v.put("worker.notesPerSecPerKb", publish.measurement().perSecond());
        v.put("worker.cpuMsPerNote", publish.cpuMsPerNote());
        return new CapacityConstants(v);
    }

    /** An idle stretch of {@link BenchContext#seconds()}. */
    private Window idle(CapacityTopology child) throws InterruptedException {
        Window w = child.window();
        Thread.sleep(TimeUnit.SECONDS.toMillis(ctx.seconds()));
        return w.end();
    }

    /** The window's end 1 s after the load stopped (client buffers drained before memory is read). */
    static Window settled(Window w) throws InterruptedException {
        Thread.sleep(1000);
        return w.end();
    }

    /** {@code streams} streams follow the load's user while jobs run: coordinator CPU beyond the jobs' own, per event. */
    private void measureEvents(CapacityTopology child, JobLoad load, String tag, Map<String, Double> v, double idleCpu)
            throws Exception {
        AtomicLong events = new AtomicLong();
        List<Subscription> subscriptions = new ArrayList<>();
        List<KbsyncClient> watchers = new ArrayList<>();
        child.coordinators().forEach(c -> watchers.add(KbsyncServer.client(c.port(), streams)));
        try {
            for (int i = 0; i < streams; i++) {
                subscriptions.add(watchers.get(i % watchers.size())
                        .async()
                        .followUserJobs(JobLoad.USER, e -> events.incrementAndGet())
                        .await(30, TimeUnit.SECONDS));
            }
            int withEvents = jobs / 2;
            Window w = child.window();
            load.jobs(withEvents, 4, 8, tag + "e");
            Thread.sleep(1000); // the last events reach the streams
            Window e = w.end();
            subscriptions.forEach(Subscription::close);
            double beyondJobs =
                    e.coordinatorCpu() - idleCpu * e.seconds() - withEvents * v.get("coordinator.cpuMsPerJob") / 1000;
            v.put("coordinator.cpuMsPerEvent", 1000 * beyondJobs / Math.max(1, events.get()));
            v.put("coordinator.eventsPerJob", (double) events.get() / streams / withEvents);
        } finally {
            watchers.forEach(KbsyncClient::close);
        }
    }
}
