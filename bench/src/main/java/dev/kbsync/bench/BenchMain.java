package dev.kbsync.bench;

import dev.kbsync.redis.RedisProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the benchmark scenarios against a private redis-server and rewrites the tables of docs/benchmarks.md.
 * Arguments: {@code [--quick] [--out docs/benchmarks.md] [--only 1,2] [--runs 3] [--keep-scratch]}. With {@code --runs
 * N} the selected scenarios run N times one after the other, each run with a Redis of its own, and the tables give each
 * target's median and spread over the runs. The scratch directory (remotes, checkouts, Redis files: hundreds of MB for a
 * full run) is removed at the end unless {@code --keep-scratch}.
 */
public final class BenchMain {
    /** The name prefix of a run's scratch directory under the system temp directory. */
    static final String SCRATCH_PREFIX = "kbsync-bench";

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        List<String> list = Arrays.asList(args);
        boolean quick = list.contains("--quick");
        Path out = Path.of(value(list, "--out", "docs/benchmarks.md"));
        Set<String> only = Arrays.stream(value(list, "--only", "").split(","))
                .filter(s -> !s.isBlank())
                .collect(Collectors.toSet());
        int runs;
        try {
            runs = runs(value(list, "--runs", "1"));
        } catch (IllegalArgumentException e) {
            System.err.println("kbsync-bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        Path scratch = Files.createTempDirectory(SCRATCH_PREFIX);
        try {
            List<Report.Run> done = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                if (runs > 1) {
                    System.out.println("run " + i + " of " + runs);
                }
                done.add(run(Files.createDirectories(scratch.resolve("run-" + i)), quick, only));
            }
            Report.write(out, done);
            System.out.println("wrote " + out.toAbsolutePath());
        } finally {
            if (list.contains("--keep-scratch")) {
                System.out.println("kept the scratch directory " + scratch);
            } else {
                removeScratch(scratch);
            }
        }
    }

    /** The value of {@code --runs}: a whole number of at least 1, or an error that says so. */
    static int runs(String text) {
        try {
            int runs = Integer.parseInt(text);
            if (runs >= 1) {
                return runs;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("--runs takes a whole number of at least 1, not " + text);
    }

    private static Report.Run run(Path scratch, boolean quick, Set<String> only) throws Exception {
        String loadBefore = loadAverage();
        String started = Instant.now().toString();
        try (RedisProcess redis = RedisProcess.start(scratch)) {
            BenchContext ctx = new BenchContext(redis.uri(), scratch, quick);
            List<ScenarioResult> results = new ArrayList<>();
            for (Scenario scenario : Scenarios.all()) {
                if (only.isEmpty() || only.contains(scenario.id())) {
                    System.out.println("running scenario " + scenario.id() + " ...");
                    ScenarioResult result = scenario.run(ctx);
                    System.out.println("  " + result.summary());
                    results.add(result);
                }
            }
            return new Report.Run(
                    results,
                    started,
                    machine() + "; load average (1/5/15 min) " + loadBefore + " at start, " + loadAverage()
                            + " at end");
        }
    }

    /** Deletes the scratch directory, deepest entries first; says what it could not delete. */
    private static void removeScratch(Path scratch) {
        List<Path> entries;
        try (Stream<Path> walk = Files.walk(scratch)) {
            entries = walk.sorted(Comparator.reverseOrder()).toList();
        } catch (IOException | UncheckedIOException e) {
            System.out.println("could not list the scratch directory " + scratch + ": " + e.getMessage());
            return;
        }
        long left = entries.stream().filter(entry -> !deleted(entry)).count();
        if (left > 0) {
            System.out.println("could not remove " + left + " entries of the scratch directory " + scratch);
        }
    }

    private static boolean deleted(Path entry) {
        try {
            Files.deleteIfExists(entry);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String value(List<String> args, String flag, String fallback) {
        int i = args.indexOf(flag);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }

    /** The first three fields of /proc/loadavg, or "unknown" off Linux. */
    static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return String.join(" ", Arrays.copyOf(fields, 3));
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String machine() {
        return Runtime.getRuntime().availableProcessors() + " cores, "
                + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB max heap, Java "
                + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch");
    }
}
