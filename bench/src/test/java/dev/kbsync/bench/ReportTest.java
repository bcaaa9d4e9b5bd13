package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {
    @TempDir
    Path dir;

    private static Measurement latency(String subject, long nanos) {
        Stats stats = new Stats();
        stats.record(nanos);
        return Measurement.of(subject, stats, 1, 1_000_000_000L);
    }

    /** Scenario 1 with kbsync at {@code kbsyncMs} against an anchor at 1 ms, under p50 <= 1.5x. */
    private static Report.Run run(double kbsyncMs) {
        Measurement kbsync = latency("kbsync", (long) (kbsyncMs * 1_000_000));
        Measurement anchor = latency("raw", 1_000_000);
        Check check = Check.of(kbsync, anchor, Target.ratioAtMost(Metric.P50, 1.5));
        return new Report.Run(
                List.of(new ScenarioResult("1", "grant+release", List.of(kbsync, anchor), List.of(check))),
                "2026-12-02T03:00:00Z",
                "2 cores");
    }

    @Test
    void shouldGiveEachTargetsMedianAndSpreadOverSeveralRuns() throws Exception {
        Path doc = dir.resolve("benchmarks.md");
        Files.writeString(doc, "# Benchmarks\n\nIntro.\n\n" + Report.MARKER + "\n\nold\n");

        Report.write(doc, List.of(run(1.2), run(2.0), run(1.4)));

        String text = Files.readString(doc);
        assertThat(text).startsWith("# Benchmarks\n\nIntro.").doesNotContain("old");
        assertThat(text)
                .contains("3 runs one after the other")
                .contains("### Targets: the median of 3 runs")
                .containsPattern(
                        "\\| 1 grant\\+release \\| kbsync \\| raw \\| p50 <= 1\\.5x anchor \\| 1\\.2\\d*x,"
                                + " 2\\.0\\d*x, 1\\.4\\d*x \\| 1\\.4\\d*x \\| 0\\.[78]\\d*x \\| 2 of 3 \\| met \\(1\\.4\\d*x\\) \\|")
                .contains("### Run 1: targets", "### Run 3: all measurements");
    }

    @Test
    void shouldJudgeTheMedianNotTheBestRun() throws Exception {
        Path doc = dir.resolve("benchmarks.md");

        Report.write(doc, List.of(run(1.2), run(2.0), run(1.9), run(1.7)));

        assertThat(Files.readString(doc)).contains("| 1 of 4 | **not met** (1.8");
    }

    @Test
    void shouldWriteOneRunAsBefore() throws Exception {
        Path doc = dir.resolve("benchmarks.md");

        Report.write(doc, List.of(run(1.2)));

        String text = Files.readString(doc);
        assertThat(text).contains("Run at 2026-12-02T03:00:00Z on 2 cores.\n\n### Targets\n\n");
        assertThat(text).contains("\n### All measurements\n\n").doesNotContain("median");
    }

    @Test
    void shouldGiveAPercentTargetsValuesAsPercentages() throws Exception {
        Path doc = dir.resolve("benchmarks.md");
        List<Report.Run> runs = List.of(19.32, 22.98, 19.68).stream()
                .map(percent -> {
                    Measurement m = Measurement.percent("ETA error", percent, "");
                    Check check = Check.absolute(m, Target.absoluteAtMost(Metric.PERCENT, 25));
                    return new Report.Run(
                            List.of(new ScenarioResult("E", "ETA", List.of(m), List.of(check))), "now", "2 cores");
                })
                .toList();

        Report.write(doc, runs);

        assertThat(Files.readString(doc))
                .contains("| 19.3 %, 23.0 %, 19.7 % | 19.7 % | 3.7 % | 3 of 3 | met (19.7 %) |");
    }

    @Test
    void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleOnes() {
        assertThat(Report.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Report.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    }
}
