package dev.kbsync.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 10's counters at one moment: CPU seconds so far of each party (the workers, and of them their JIT and GC
 * threads; the coordinator, Redis, the git daemon, the bench JVM), the machine's jiffies, and the workers' own
 * metrics (publish cycles, cycles behind the remote, notes reported, git time) and checkouts.
 */
record FleetSample(
        double workers,
        double workersJit,
        double workersGc,
        double coordinator,
        double redis,
        double daemon,
        double bench,
        long busyJiffies,
        long allJiffies,
        long cycles,
        long behind,
        long reported,
        double gitSeconds,
        long clones) {
    private static final Logger LOG = LoggerFactory.getLogger(FleetSample.class);
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    /** Reads every counter now; the git daemon is found among this JVM's descendants by its port. */
    static FleetSample take(List<WorkerChild> workers, long coordinatorPid, int daemonPort) {
        long cycles = 0;
        long behind = 0;
        long reported = 0;
        double gitSeconds = 0;
        for (WorkerChild w : workers) {
            String metrics = scrape(w);
            cycles += (long) metric(metrics, "kbsync_worker_git_seconds_count");
            gitSeconds += metric(metrics, "kbsync_worker_git_seconds_sum");
            behind += (long) metric(metrics, "kbsync_worker_publish_cycles_behind_total");
            reported += (long) metric(metrics, "kbsync_worker_jobs_done_total");
        }
        long[] jiffies = ProcessCpu.machineJiffies();
        return new FleetSample(
                workers.stream()
                        .mapToDouble(w -> ProcessCpu.seconds(w.process().pid()))
                        .sum(),
                workers.stream()
                        .mapToDouble(w -> ProcessCpu.threads(w.process().pid(), ProcessCpu::jit))
                        .sum(),
                workers.stream()
                        .mapToDouble(w -> ProcessCpu.threads(w.process().pid(), ProcessCpu::gc))
                        .sum(),
                ProcessCpu.seconds(coordinatorPid),
                ProcessCpu.tree(c -> c.contains("redis-server")),
                ProcessCpu.tree(c -> c.contains("--port=" + daemonPort)),
                ProcessCpu.self(),
                jiffies[0],
                jiffies[1],
                cycles,
                behind,
                reported,
                gitSeconds,
                workers.stream().mapToLong(WorkerChild::clones).sum());
    }

    /** The worker's {@code GET /metrics}; empty (and logged) if it cannot be read. */
    private static String scrape(WorkerChild worker) {
        try {
            return HTTP.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.metricsPort() + "/metrics"))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (IOException e) {
            LOG.warn("could not scrape worker {}: {}", worker.id(), e.toString());
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The sum of a Prometheus sample's values over its label sets (0 if absent). */
    static double metric(String text, String name) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
