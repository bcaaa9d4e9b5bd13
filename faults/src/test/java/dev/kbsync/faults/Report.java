package dev.kbsync.faults;

import dev.kbsync.faults.check.Figures;
import dev.kbsync.faults.check.Verdict;
import dev.kbsync.faults.history.History;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes each run's history ({@code <scenario>-history.jsonl}) and appends its figures as a row of the
 * docs/reliability.md table to {@code rows.md} under {@code -Dfaults.out} (target/faults).
 */
final class Report {
    private Report() {}

    static Path dir() {
        return Path.of(System.getProperty("faults.out", "target/faults"));
    }

    static void write(Scenario scenario, long seed, History history, Verdict verdict) {
        history.write(dir().resolve(scenario.id() + "-history.jsonl"));
        Figures f = verdict.figures();
        String row = String.format(
                "| %s | %s | 1 | %d | %d / %d / %d / %d | %s | %d | %s | %d ms | %d ms | %d | %s | %s |",
                scenario.id(),
                scenario.nemesis().name(),
                f.ops(),
                f.acknowledged(),
                f.landed(),
                f.duplicated(),
                f.lost(),
                f.failedLanded() > 0 ? f.failed() + " (" + f.failedLanded() + " landed)" : Integer.toString(f.failed()),
                f.overlaps(),
                f.recoveryMillis() < 0 ? "-" : f.recoveryMillis() + " ms",
                f.longestGrantGapMillis(),
                f.drainMillis(),
                f.unavailable(),
                scenario.target(),
                verdict.valid() ? "met" : verdict.violations().size() + " violations, seed " + seed);
        try {
            Files.createDirectories(dir());
            Files.write(dir().resolve("rows.md"), List.of(row), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            Files.write(dir().resolve(scenario.id() + "-violations.txt"), verdict.violations());
            Files.write(dir().resolve(scenario.id() + "-warnings.txt"), verdict.warnings());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
