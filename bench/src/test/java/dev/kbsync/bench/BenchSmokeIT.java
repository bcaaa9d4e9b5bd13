package dev.kbsync.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchSmokeIT {
    @TempDir
    Path dir;

    @Test
    void shouldWriteTheTargetTableBelowTheMarkerKeepingTheIntro() throws Exception {
        Path doc = dir.resolve("benchmarks.md");
        Files.writeString(doc, "# Benchmarks\n\nHand-written intro.\n\n" + Report.MARKER + "\n\nold table\n");

        BenchMain.main(new String[] {"--quick", "--only", "1", "--out", doc.toString()});

        String text = Files.readString(doc);
        assertThat(text).startsWith("# Benchmarks\n\nHand-written intro.").doesNotContain("old table");
        assertThat(text.substring(text.indexOf(Report.MARKER)))
                .contains("| ratio | verdict |")
                .containsPattern("\\| 1 uncontended grant\\+release \\| kbsync HTTP POST lease .*\\| raw RFairLock"
                        + " lock\\+unlock .*\\| p50 <= 1\\.5x anchor \\| [0-9.]+x \\| (met|\\*\\*not met\\*\\*) \\(");
    }
}
