package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.transport.RefSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CPU per note commit, run on demand ({@code -Dtest=CommitCpuBench}): batches of 16 one-file commits
 * ({@link KbRepository#commitPaths}) plus the batch's clean mark (which writes the index), into a checkout of 500 notes
 * in 256 folders ({@code -Dkbsync.commitBench.notes=10000}: more); thread CPU time per commit, median of the last 10 of 20 batches. After a warm-up, three rounds of
 * each: through the batch's in-memory index, and through {@code AddCommand} (a root {@code .gitattributes} sends every
 * note there).
 */
class CommitCpuBench {
    private static final Logger log = LoggerFactory.getLogger(CommitCpuBench.class);
    private static final int BATCH = 16;

    @TempDir
    Path tmp;

    @Test
    void shouldMeasureCpuPerNoteCommit() throws Exception {
        measure("warm-up", false);
        measure("warm-up AddCommand", true);
        for (int round = 1; round <= 3; round++) {
            assertThat(measure("in-memory index " + round, false)).isPositive();
            assertThat(measure("AddCommand " + round, true)).isPositive();
        }
    }

    private double measure(String name, boolean attributes) throws Exception {
        Path bare = tmp.resolve(name.replace(' ', '-') + ".git");
        String remote = seed(bare, attributes);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        List<Double> perCommit = new ArrayList<>();
        try (KbRepository repo = KbRepository.cloneOrOpen(remote, "main", tmp.resolve(name), GitAuth.NONE)) {
            int n = 0;
            for (int batch = 0; batch < 20; batch++) {
                long start = cpu.getCurrentThreadCpuTime();
                for (int i = 0; i < BATCH; i++, n++) {
                    String path = String.format("notes/%02x/bench-%d.md", n % 256, n);
                    Files.writeString(repo.workTree().resolve(path), "# Note " + n + "\n\ntext of note " + n + "\n");
                    CommitResult result = repo.commitPaths(
                            List.of(path),
                            "Add: Note " + n,
                            new Author("bench", "bench@kbsync"),
                            Map.of("Kbsync-Job", "j" + n));
                    assertThat(result).isInstanceOf(CommitResult.Committed.class);
                }
                assertThat(repo.workTree().resolve(".git/index.lock"))
                        .as("the batch's index is held in memory (locked) only on the fast path")
                        .matches(lock -> Files.exists(lock) != attributes);
                assertThat(repo.markClean()).isPresent();
                perCommit.add((cpu.getCurrentThreadCpuTime() - start) / 1e6 / BATCH);
            }
            assertThat(repo.hasChanges()).isFalse();
        }
        List<Double> last = new ArrayList<>(perCommit.subList(10, 20));
        Collections.sort(last);
        double median = (last.get(4) + last.get(5)) / 2;
        log.info(
                "MEASURED: {}: {} ms CPU per note commit (median of the last 10 batches of 16; min {}, max {})",
                name,
                String.format("%.2f", median),
                String.format("%.2f", last.get(0)),
                String.format("%.2f", last.get(9)));
        return median;
    }

    /** The KB's notes before the measurement: 500, or {@code -Dkbsync.commitBench.notes}. */
    private static final int SEED_NOTES = Integer.getInteger("kbsync.commitBench.notes", 500);

    /** A bare remote with {@link #SEED_NOTES} notes in 256 folders under {@code notes/} (and a root .gitattributes if asked). */
    private String seed(Path bare, boolean attributes) throws Exception {
        Git.init()
                .setBare(true)
                .setInitialBranch("main")
                .setDirectory(bare.toFile())
                .call()
                .close();
        Path seed = tmp.resolve("seed-" + bare.getFileName());
        try (Git work =
                Git.init().setInitialBranch("main").setDirectory(seed.toFile()).call()) {
            for (int i = 0; i < SEED_NOTES; i++) {
                Path note = seed.resolve(String.format("notes/%02x/seed-%d.md", i % 256, i));
                Files.createDirectories(note.getParent());
                Files.writeString(note, "# Seed " + i + "\n");
            }
            if (attributes) {
                Files.writeString(seed.resolve(".gitattributes"), "*.bin binary\n");
            }
            work.add().addFilepattern(".").call();
            work.commit().setMessage("seed").setAuthor("seed", "seed@kbsync").call();
            work.push()
                    .setRemote(bare.toUri().toString())
                    .setRefSpecs(new RefSpec("refs/heads/main:refs/heads/main"))
                    .call();
        }
        return bare.toUri().toString();
    }
}
