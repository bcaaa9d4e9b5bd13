package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSmokeIT {
    @TempDir
    Path dir;

    @Test
    void shouldWriteTheTargetTableBelowTheMarkerKeepingTheIntro() throws Exception {
        Path doc = dir.resolve("benchmarks.md");
        Files.writeString(doc, "# Benchmarks\n\nHand-written intro.\n\n" + Report.MARKER + "\n\nold table\n");

        Set<Path> scratchBefore = scratchDirs();

        BenchMain.main(new String[] {"--quick", "--only", "1", "--out", doc.toString()});

        assertThat(scratchDirs()).as("the run's scratch directory is removed").isSubsetOf(scratchBefore);

        String text = Files.readString(doc);
        assertThat(text).startsWith("# Benchmarks\n\nHand-written intro.").doesNotContain("old table");
        assertThat(text.substring(text.indexOf(Report.MARKER)))
                .contains("| ratio | verdict |")
                .containsPattern("\\| 1 uncontended grant\\+release \\| kbsync HTTP POST lease .*\\| raw RFairLock"
                        + " lock\\+unlock .*\\| p50 <= 1\\.5x anchor \\| [0-9.]+x \\| (met|\\*\\*not met\\*\\*) \\(");
    }

    /** The bench's scratch directories under the system temp directory. */
    private static Set<Path> scratchDirs() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith(BenchMain.SCRATCH_PREFIX))
                    .collect(Collectors.toSet());
        }
    }
}
