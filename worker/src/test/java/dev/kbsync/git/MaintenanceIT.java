package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

class MaintenanceIT {
    private static final int PUSHES = 40;
    private static final int MAINTAIN_EVERY = 10;

    /**
     * Never deleted by JUnit: the in-process push to the file remote can still be closing a pack when the test ends,
     * and a failed @TempDir cleanup would fail a passing test. Left under the system temp dir.
     */
    @TempDir(cleanup = CleanupMode.NEVER)
    Path tmp;

    @Test
    void shouldKeepThePackCountBoundedOverFourMaintenanceRounds() throws Exception {
        GitFixture fixture = GitFixture.seeded(tmp);
        try (KbRepository writer = fixture.cloneRepo();
                KbRepository reader = fixture.cloneRepo()) {
            for (int i = 1; i <= PUSHES; i++) {
                GitFixture.commitAndPush(writer, "notes/n" + i + ".md", "note " + i);
                assertThat(reader.pull()).isInstanceOf(PullResult.FastForwarded.class);
                if (i % MAINTAIN_EVERY == 0) {
                    assertThat(packs(reader)).isGreaterThanOrEqualTo(MAINTAIN_EVERY);
                    reader.maintain();
                    writer.maintain();
                    assertThat(packs(reader)).isLessThanOrEqualTo(1);
                    assertThat(packs(writer)).isLessThanOrEqualTo(1);
                }
            }
            assertThat(reader.head()).isEqualTo(writer.head());
            GitFixture.commitAndPush(reader, "after.md", "still works");
        }
    }

    private static long packs(KbRepository repo) throws IOException {
        try (Stream<Path> files = Files.list(repo.workTree().resolve(".git/objects/pack"))) {
            return files.filter(p -> p.toString().endsWith(".pack")).count();
        }
    }
}
