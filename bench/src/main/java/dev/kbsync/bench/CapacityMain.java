package dev.kbsync.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Measures the capacity model's constants ({@code --runs} runs on a {@link CapacityTopology}: a 3-master Redis Cluster
 * and two coordinators; 350 KBs, 2,000 jobs per phase), checks the model on a fresh topology at another scale
 * ({@code --kbs} KBs and {@code --jobs} jobs, as many runs), prints both and rewrites the generated blocks of
 * docs/capacity.md. Arguments: {@code [--quick] [--runs 3] [--kbs 1000] [--jobs 4000]
 * [--out docs/capacity.md] [--validate-only] [--worker-only] [--example-only]} ({@code --validate-only}: the
 * constants are the page's, only the validation is run and rewritten; {@code --worker-only}: only the {@code worker.*}
 * constants are measured again, {@code --runs} times, and their rows and the example rewritten; {@code --example-only}:
 * the example again from the page's constants). Redis Cluster nodes run as {@code KBSYNC_TEST_REDIS} says (process: local processes).
 */
public final class CapacityMain {
    private CapacityMain() {}

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        boolean quick = list.contains("--quick");
        int runs = Integer.parseInt(value(list, "--runs", "3"));
        int kbs = Integer.parseInt(value(list, "--kbs", "1000"));
        int jobs = Integer.parseInt(value(list, "--jobs", quick ? "300" : "4000"));
        Path out = Path.of(value(list, "--out", "docs/capacity.md"));
        Path scratch = Files.createTempDirectory("kbsync-capacity");

        List<CapacityConstants> measured = new ArrayList<>();
        List<String> loads = new ArrayList<>();
        boolean validateOnly = list.contains("--validate-only");
        if (list.contains("--example-only")) { // the worked example again from the page's constants
            CapacityConstants onPage = CapacityConstants.parse(Files.readString(out));
            Files.writeString(
                    out,
                    CapacityReport.replace(
                            Files.readString(out),
                            "example",
                            new CapacityReport(onPage, List.of(), List.of(), List.of(), kbs, jobs).example()));
            System.out.println("wrote the example of " + out.toAbsolutePath());
            return;
        }
        if (list.contains("--worker-only")) { // the worker rows again (seconds, no Redis), the rest of the page kept
            List<Map<String, Double>> each = new ArrayList<>();
            List<String> workerLoads = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                String before = BenchMain.loadAverage();
                WorkerGit.Publishing p = new WorkerGit(new BenchContext("redis://unused", scratch, quick))
                        .publishOverNetworkWithCpu(0, quick ? 20 : 100);
                each.add(Map.of(
                        "worker.notesPerSecPerKb", p.measurement().perSecond(),
                        "worker.cpuMsPerNote", p.cpuMsPerNote()));
                workerLoads.add("run " + i + ": " + before + " -> " + BenchMain.loadAverage());
                System.out.println("worker run " + i + ": " + each.get(i - 1));
            }
            String page = CapacityReport.withWorkerRows(Files.readString(out), each, workerLoads);
            CapacityConstants onPage = CapacityConstants.parse(page);
            Files.writeString(
                    out,
                    CapacityReport.replace(
                            page,
                            "example",
                            new CapacityReport(onPage, List.of(), List.of(), List.of(), kbs, jobs).example()));
            System.out.println("wrote the worker rows and the example of " + out.toAbsolutePath());
            return;
        }
        for (int i = 1; i <= (validateOnly ? 0 : runs); i++) {
            String before = BenchMain.loadAverage();
            measured.add(new CapacityRun(new BenchContext("redis://unused", scratch, quick)).measure("r" + i));
            loads.add("constants run " + i + ": " + before + " -> " + BenchMain.loadAverage());
            System.out.println("constants run " + i + ": " + measured.get(i - 1).values());
        }
        CapacityConstants constants =
                validateOnly ? CapacityConstants.parse(Files.readString(out)) : CapacityConstants.median(measured);
        if (!validateOnly) { // kept even if the check fails: --validate-only can run it again on these constants
            Files.writeString(
                    out,
                    new CapacityReport(constants, measured, List.of(), loads, kbs, jobs)
                            .constantsOnly(Files.exists(out) ? Files.readString(out) : ""));
        }

        List<List<CapacityValidation.Row>> checks = new ArrayList<>();
        BenchContext ctx = new BenchContext("redis://unused", scratch, quick);
        for (int i = 1; i <= runs; i++) {
            String before = BenchMain.loadAverage();
            checks.add(new CapacityValidation(ctx, constants, kbs, jobs).run("v" + i));
            loads.add("validation run " + i + ": " + before + " -> " + BenchMain.loadAverage());
            System.out.println("validation run " + i + ": " + checks.get(i - 1));
        }
        CapacityReport report = new CapacityReport(constants, measured, checks, loads, kbs, jobs);
        String page = Files.exists(out) ? Files.readString(out) : "";
        Files.writeString(out, report.into(page));
        System.out.println(validateOnly ? "" : report.constantsTable() + report.example());
        System.out.println(report.validationTable());
        System.out.println("wrote " + out.toAbsolutePath());
    }

    private static String value(List<String> args, String flag, String fallback) {
        int i = args.indexOf(flag);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }
}
