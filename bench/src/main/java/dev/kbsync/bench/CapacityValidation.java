package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The model checked at another scale than its constants were measured at: {@code kbs} KBs on the
 * {@link CapacityTopology}, {@code jobs} jobs run by simulated workers spread over both coordinators, then as many left
 * queued; each quantity the model predicts from the constants next to what the run measured.
 */
final class CapacityValidation {
    /** One quantity: predicted, measured. */
    record Row(String what, double predicted, double measured) {}

    private static final int WARM_KBS = 10;
    private static final int WARM_JOBS = 1000;
    private static final int QUEUED_KBS = 100;

    private final BenchContext ctx;
    private final CapacityConstants c;
    private final int kbs;
    private final int jobs;

    CapacityValidation(BenchContext ctx, CapacityConstants c, int kbs, int jobs) {
        this.ctx = ctx;
        this.c = c;
        this.kbs = kbs;
        this.jobs = jobs;
    }

    List<Row> run(String tag) throws Exception {
        List<Row> rows = new ArrayList<>();
        int c = CapacityTopology.COORDINATORS;
        try (CapacityTopology topology = CapacityTopology.start(ctx, "check-" + tag)) {
            List<KbsyncClient> clients = topology.clients();
            List<String> names = KbsyncLeases.names("v-" + tag + "-", kbs);
            JobLoad load = new JobLoad(clients, names);
            // warm-up on a few KBs (unmeasured): scripts loaded on every master, the coordinators' JIT done
            List<String> warm = names.subList(0, WARM_KBS);
            CapacityKbs.register(clients, warm);
            new JobLoad(clients, warm).jobs(WARM_JOBS, 2, 4, tag + "w");

            Window w = topology.window();
            CapacityKbs.register(clients, names.subList(WARM_KBS, kbs));
            rows.add(mib(
                    "Redis memory of the KBs (MiB, 3 masters)",
                    (kbs - WARM_KBS) * this.c.get("redis.bytesPerKb"),
                    CapacityRun.settled(w)));

            CapacityModel model = new CapacityModel(this.c, CapacityModel.Budget.defaults());
            w = topology.window();
            JobLoad.Result run = load.jobs(jobs, 4, 8, tag + "j");
            Window job = CapacityRun.settled(w);
            double t = job.seconds();
            // all the CPU the run's processes got (Redis, coordinators, load generator), less the sweeps the model
            // says ran meanwhile, over the CPU a job costs all of them
            double cpuPerJob = (this.c.get("redis.cpuMsPerJob")
                            + this.c.get("coordinator.cpuMsPerJob")
                            + this.c.get("client.cpuMsPerJob"))
                    / 1000;
            double got = job.redis().cpuSeconds()
                    + job.coordinatorCpu()
                    + job.clientCpu()
                    - t * (model.redisSweepCores(c, kbs) + model.coordinatorSweepCores(c, kbs));
            rows.add(new Row("throughput (jobs/s) for the CPU the run got", got / t / cpuPerJob, run.perSecond()));
            rows.add(new Row(
                    "Redis commands",
                    jobs * this.c.get("redis.callsPerJob") + t * model.redisSweepCalls(c, kbs),
                    job.redis().calls()));
            rows.add(new Row(
                    "Redis CPU (s)",
                    jobs * this.c.get("redis.cpuMsPerJob") / 1000 + t * model.redisSweepCores(c, kbs),
                    job.redis().cpuSeconds()));
            rows.add(new Row(
                    "coordinator CPU, both (s)",
                    jobs * this.c.get("coordinator.cpuMsPerJob") / 1000 + t * model.coordinatorSweepCores(c, kbs),
                    job.coordinatorCpu()));
            // round robin over the names: the KBs past the warm-up's get their first jobs here
            long fresh = Math.max(0, Math.min(kbs, jobs) - WARM_KBS);
            rows.add(mib(
                    "Redis memory of the finished jobs (MiB)",
                    jobs * this.c.get("redis.bytesPerRetainedJob") + fresh * this.c.get("redis.bytesPerKbWithJobs"),
                    job));

            // queued on a few KBs: a KB with queued work is swept every pass by every coordinator, and 10,000 of them
            // (one job each) ask each coordinator for several cores (coordinator.busySweepCpuMsPerKbSec)
            List<String> queues = names.subList(0, Math.min(kbs, QUEUED_KBS));
            w = topology.window();
            new JobLoad(clients, queues).queueOnly(jobs, 4, tag + "q");
            rows.add(mib(
                    "Redis memory of the queued jobs (MiB)",
                    jobs * this.c.get("redis.bytesPerQueuedJob")
                            + Math.min(queues.size(), jobs) * this.c.get("redis.bytesPerKbWithQueue"),
                    CapacityRun.settled(w)));
        }
        return rows;
    }

    private static Row mib(String what, double predictedBytes, Window measured) {
        return new Row(what, predictedBytes / (1 << 20), measured.redis().dataMemory() / (double) (1 << 20));
    }
}
