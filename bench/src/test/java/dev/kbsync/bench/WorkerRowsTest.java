package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code CapacityMain --worker-only}: the worker rows of the page's constants table measured again, the rest kept. */
class WorkerRowsTest {
    private static final String PAGE = String.join(
            "\n",
            "<!-- capacity:constants -->",
            "Measured 2026-12-01T16:37:00Z, 2 cores.",
            "",
            "| constant | median | spread (max - min) | unit | what |",
            "| --- | ---: | ---: | --- | --- |",
            "| `client.cpuMsPerJob` | 0.6350 | 1.07 | ms | load generator CPU per job |",
            "| `worker.notesPerSecPerKb` | 15.73 | 1.73 | notes/s | old |",
            "| `worker.cpuMsPerNote` | 46.34 | 33.86 | ms | old |",
            "<!-- /capacity:constants -->",
            "");

    private static Map<String, Double> run(double rate, double cpu) {
        return Map.of("worker.notesPerSecPerKb", rate, "worker.cpuMsPerNote", cpu);
    }

    @Test
    void shouldRewriteTheWorkerRowsWithTheMedianAndSpreadAndSayWhen() {
        String once = CapacityReport.withWorkerRows(
                PAGE, List.of(run(15, 12), run(16, 14), run(14, 20)), List.of("run 1: 1 -> 2"));
        String twice = CapacityReport.withWorkerRows(once, List.of(run(15, 12)), List.of("run 1: 1 -> 2"));

        assertThat(once)
                .contains("| `client.cpuMsPerJob` | 0.6350 | 1.07 | ms | load generator CPU per job |")
                .contains("| `worker.notesPerSecPerKb` | 15.00 | 2.00 | notes/s |")
                .contains("| `worker.cpuMsPerNote` | 14.00 | 8.00 | ms |")
                .contains("Measured 2026-12-01T16:37:00Z, 2 cores.\n\nThe `worker.*` rows were measured again ");
        assertThat(twice.split("The `worker\\.\\*` rows were measured again", -1))
                .hasSize(2);
        assertThat(CapacityConstants.parse(onlyKnownRows(once)).values()).isNotEmpty();
    }

    /** The page's table with every constant (parse wants them all): the others as 1. */
    private static String onlyKnownRows(String page) {
        StringBuilder s = new StringBuilder(page);
        for (String[] key : CapacityConstants.KEYS) {
            if (!page.contains("`" + key[0] + "`")) {
                s.append("| `").append(key[0]).append("` | 1 | 0 | x | y |\n");
            }
        }
        return s.toString();
    }
}
