package dev.kbsync.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generated blocks of docs/capacity.md: the constants (median and spread of the runs), the validation (prediction
 * next to measurement, median and spread of the runs) and the worked example; each replaces the text between its
 * {@code <!-- capacity:NAME -->} and {@code <!-- /capacity:NAME -->} markers, the rest of the page is kept.
 */
record CapacityReport(
        CapacityConstants constants,
        List<CapacityConstants> runs,
        List<List<CapacityValidation.Row>> checks,
        List<String> loads,
        int kbs,
        int jobs) {
    /**
     * The internet-scale example: 100,000 KBs, 10 million notes a day, peak 3x the mean, 50,000 open streams; with
     * workers keeping up (1,000 jobs queued at the peak: about three seconds of it) and with a backlog spread over
     * every KB (100,000 queued, one per KB: workers down for five minutes of the peak).
     */
    static final CapacityModel.Load EXAMPLE = new CapacityModel.Load(100_000, 10_000_000, 3, 50_000, 1_000);

    static final CapacityModel.Load BACKLOG = new CapacityModel.Load(100_000, 10_000_000, 3, 50_000, 100_000);

    /** The page with the constants and the example rewritten, the validation block left as it was. */
    String constantsOnly(String page) {
        return replace(replace(page, "constants", constantsTable()), "example", example());
    }

    String into(String page) {
        String out = page;
        if (!runs.isEmpty()) {
            out = replace(out, "constants", constantsTable());
            out = replace(out, "example", example());
        }
        return replace(out, "validation", validationTable());
    }

    String constantsTable() {
        StringBuilder s = new StringBuilder();
        s.append("Measured ")
                .append(Instant.now().truncatedTo(ChronoUnit.MINUTES))
                .append(", ")
                .append(BenchMain.machine())
                .append("; ")
                .append(runs.size())
                .append(" runs, load average (1/5/15 min) at start -> end of each: ")
                .append(String.join("; ", loads))
                .append(".\n\n");
        s.append("| constant | median | spread (max - min) | unit | what |\n| --- | ---: | ---: | --- | --- |\n");
        for (String[] key : CapacityConstants.KEYS) {
            s.append("| `")
                    .append(key[0])
                    .append("` | ")
                    .append(num(constants.get(key[0])))
                    .append(" | ")
                    .append(num(constants.get(key[0] + ".spread")))
                    .append(" | ")
                    .append(key[1])
                    .append(" | ")
                    .append(key[2])
                    .append(" |\n");
        }
        return s.toString();
    }

    String validationTable() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(
                Locale.ROOT,
                "Measured %s at commit %s: %,d KBs on a 3-master Redis Cluster, 2 coordinators, %,d jobs run then %,d"
                        + " left queued; %d runs, load average (1/5/15 min) at start -> end of each: %s.%n%n",
                Instant.now().truncatedTo(ChronoUnit.MINUTES),
                commit(),
                kbs,
                jobs,
                jobs,
                checks.size(),
                String.join(
                        "; ",
                        loads.stream().filter(l -> l.startsWith("validation")).toList())));
        s.append("| quantity | predicted (median) | measured (median) | measured spread | error |\n")
                .append("| --- | ---: | ---: | ---: | ---: |\n");
        for (int row = 0; row < checks.get(0).size(); row++) {
            List<Double> predicted = new ArrayList<>();
            List<Double> measured = new ArrayList<>();
            for (List<CapacityValidation.Row> run : checks) {
                predicted.add(run.get(row).predicted());
                measured.add(run.get(row).measured());
            }
            double p = median(predicted);
            double m = median(measured);
            s.append("| ")
                    .append(checks.get(0).get(row).what())
                    .append(" | ")
                    .append(num(p))
                    .append(" | ")
                    .append(num(m))
                    .append(" | ")
                    .append(num(spread(measured)))
                    .append(" | ")
                    .append(String.format(Locale.ROOT, "%+.0f %%", 100 * (p - m) / m))
                    .append(" |\n");
        }
        return s.toString();
    }

    String example() {
        CapacityModel model = new CapacityModel(constants, CapacityModel.Budget.defaults());
        Map<String, Double> steady = model.plan(EXAMPLE);
        Map<String, Double> backlog = model.plan(BACKLOG);
        StringBuilder s = new StringBuilder(
                "| quantity | workers keep up (1,000 queued) | backlog (100,000 queued, one per KB) |\n| --- | ---: | ---: |\n");
        steady.forEach((k, v) -> s.append("| ")
                .append(k)
                .append(" | ")
                .append(num(v))
                .append(" | ")
                .append(num(backlog.get(k)))
                .append(" |\n"));
        return s.toString();
    }

    /** The checked-out commit the numbers belong to ({@code git rev-parse --short HEAD}), or "unknown". */
    private static String commit() {
        try {
            Process git = new ProcessBuilder("git", "rev-parse", "--short", "HEAD")
                    .redirectErrorStream(true)
                    .start();
            String out =
                    new String(git.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            return git.waitFor() == 0 ? out : "unknown";
        } catch (java.io.IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    /**
     * The page with the {@code worker.*} rows of its constants table measured again alone ({@code --worker-only}):
     * median and spread of {@code runs}, and a line above the table saying when; the other rows are left as they were.
     */
    static String withWorkerRows(String page, List<Map<String, Double>> runs, List<String> loads) {
        String out = page;
        for (String[] key : CapacityConstants.KEYS) {
            if (!key[0].startsWith("worker.")) {
                continue;
            }
            List<Double> each = runs.stream().map(r -> r.get(key[0])).sorted().toList();
            String row = "| `" + key[0] + "` | " + num(each.get(each.size() / 2)) + " | "
                    + num(each.get(each.size() - 1) - each.get(0)) + " | " + key[1] + " | " + key[2] + " |";
            out = out.replaceFirst("(?m)^\\| `" + Pattern.quote(key[0]) + "` \\|.*$", Matcher.quoteReplacement(row));
        }
        String line = "The `worker.*` rows were measured again " + Instant.now().truncatedTo(ChronoUnit.MINUTES)
                + " on their own (`--worker-only`), " + runs.size()
                + " runs, load average (1/5/15 min) at start -> end of each: " + String.join("; ", loads) + ".";
        out = out.replaceFirst("(?m)^The `worker\\.\\*` rows were measured again .*\n\n", "");
        return out.replaceFirst(
                Pattern.quote("| constant | median |"), Matcher.quoteReplacement(line + "\n\n| constant | median |"));
    }

    static String replace(String page, String name, String block) {
        String open = "<!-- capacity:" + name + " -->";
        String close = "<!-- /capacity:" + name + " -->";
        int a = page.indexOf(open);
        int b = page.indexOf(close);
        if (a < 0 || b < a) {
            return page + "\n" + open + "\n" + block + close + "\n";
        }
        return page.substring(0, a + open.length()) + "\n" + block + page.substring(b);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }

    private static double spread(List<Double> values) {
        return values.stream().mapToDouble(d -> d).max().orElse(0)
                - values.stream().mapToDouble(d -> d).min().orElse(0);
    }

    static String num(double v) {
        if (Double.isInfinite(v)) {
            return "none suffices";
        }
        double a = Math.abs(v);
        if (a >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        if (a >= 1) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        return String.format(Locale.ROOT, "%.4f", v);
    }
}
