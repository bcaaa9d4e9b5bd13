package dev.kbsync.bench;

import dev.kbsync.api.client.KbsyncClient;
import dev.kbsync.testing.RedisClusterFixture;
import dev.kbsync.testing.RedisServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The model checked at reduced scale: {@code kbs} KBs on a 3-master Redis Cluster with two coordinators (child JVMs),
 * {@code jobs} jobs run by simulated workers spread over both, then as many left queued; each quantity the model
 * predicts from the constants next to what the run measured (less what the same time cost idle).
 */
final class CapacityValidation {
    /** One quantity: predicted, measured. */
    record Row(String what, double predicted, double measured) {}

    private static final int WARM_KBS = 10;
    private static final int WARM_JOBS = 1000;

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
        try (RedisClusterFixture cluster = RedisClusterFixture.start()) {
            List<Integer> ports =
                    cluster.nodes().stream().map(RedisServer::port).toList();
            Path yaml = Files.createTempFile(ctx.scratch(), "cluster", ".yaml");
            StringBuilder text = new StringBuilder("clusterServersConfig:\n  scanInterval: 1000\n  nodeAddresses:\n");
            cluster.nodeAddresses().forEach(a -> text.append("  - \"").append(a).append("\"\n"));
            Files.writeString(yaml, text);
            try (ChildCoordinator a = ChildCoordinator.start(ctx, settings(yaml, "cap-a"));
                    ChildCoordinator b = ChildCoordinator.start(ctx, settings(yaml, "cap-b"));
                    KbsyncClient ca = a.client(32);
                    KbsyncClient cb = b.client(32)) {
                List<Long> pids = List.of(a.pid(), b.pid());
                List<KbsyncClient> clients = List.of(ca, cb);
                List<String> names = KbsyncLeases.names("v-" + tag + "-", kbs);
                JobLoad load = new JobLoad(clients, names);
                // warm-up on a few KBs (unmeasured): scripts loaded on every master, the coordinators' JIT done
                List<String> warm = names.subList(0, WARM_KBS);
                CapacityKbs.register(clients, warm);
                new JobLoad(clients, warm).jobs(WARM_JOBS, 2, 4, tag + "w");

                Window w = Window.start(ports, pids);
                CapacityKbs.register(clients, names.subList(WARM_KBS, kbs));
                rows.add(mib(
                        "Redis memory of the KBs (MiB, 3 masters)",
                        (kbs - WARM_KBS) * c.get("redis.bytesPerKb"),
                        CapacityRun.settled(w)));

                CapacityModel model = new CapacityModel(c, CapacityModel.Budget.defaults());
                w = Window.start(ports, pids);
                JobLoad.Result run = load.jobs(jobs, 4, 8, tag + "j");
                Window job = CapacityRun.settled(w);
                double t = job.seconds();
                // the load generator has no sweep: the CPU it and Redis got, less Redis's sweeps, over their CPU per
                // job
                double cpuPerJob = (c.get("redis.cpuMsPerJob") + c.get("client.cpuMsPerJob")) / 1000;
                double got = job.redis().cpuSeconds() + job.clientCpu() - t * model.redisSweepCores(2, kbs);
                rows.add(new Row("throughput (jobs/s) for the CPU the run got", got / t / cpuPerJob, run.perSecond()));
                rows.add(new Row(
                        "Redis commands",
                        jobs * c.get("redis.callsPerJob") + t * model.redisSweepCalls(2, kbs),
                        job.redis().calls()));
                rows.add(new Row(
                        "Redis CPU (s)",
                        jobs * c.get("redis.cpuMsPerJob") / 1000 + t * model.redisSweepCores(2, kbs),
                        job.redis().cpuSeconds()));
                rows.add(new Row(
                        "coordinator CPU, both (s)",
                        run.requests() * c.get("coordinator.cpuMsPerRequest") / 1000
                                + t * model.coordinatorSweepCores(2, kbs),
                        job.coordinatorCpu()));
                rows.add(
                        mib("Redis memory of the finished jobs (MiB)", jobs * c.get("redis.bytesPerRetainedJob"), job));

                w = Window.start(ports, pids);
                load.queueOnly(jobs, 4, tag + "q");
                rows.add(
                        mib("Redis memory of the queued jobs (MiB)", jobs * c.get("redis.bytesPerQueuedJob"), w.end()));
            }
        }
        return rows;
    }

    private static Map<String, String> settings(Path yaml, String id) {
        return Map.of("KBSYNC_REDIS_CONFIG_FILE", yaml.toString(), "KBSYNC_COORDINATOR_ID", id);
    }

    private static Row mib(String what, double predictedBytes, Window measured) {
        return new Row(what, predictedBytes / (1 << 20), measured.redis().usedMemory() / (double) (1 << 20));
    }
}
