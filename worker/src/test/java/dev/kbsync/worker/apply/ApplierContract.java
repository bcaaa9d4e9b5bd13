package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.Job;
import dev.kbsync.worker.fixture.Jobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What every {@link Applier} promises; each implementation runs it with its own jobs. */
abstract class ApplierContract {
    @TempDir
    Path kb;

    @TempDir
    Path other;

    abstract Applier applier(Path scripts);

    /** A job that changes the KB and mentions {@code marker} in what it writes. */
    abstract Job changingJob(String marker);

    /** A job that tries to write outside the KB or into {@code .git}. */
    abstract Job escapingJob();

    @BeforeEach
    void seed() throws IOException {
        for (Path root : new Path[] {kb, other}) {
            Files.createDirectories(root.resolve(".git"));
            Files.writeString(root.resolve(".git/config"), "[core]\n");
            Files.writeString(root.resolve("README.md"), "# KB\n");
        }
    }

    @Test
    void shouldReportExactlyTheFilesItChanged() {
        Map<String, String> before = contents(kb);

        ApplyResult result = applier(other).apply(kb, changingJob("marker-1"), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Changed.class);
        Set<String> reported = ((ApplyResult.Changed) result)
                .files().stream().map(FileChange::path).collect(Collectors.toCollection(TreeSet::new));
        assertThat(reported).isNotEmpty().isEqualTo(changedPaths(before, contents(kb)));
        assertThat(((ApplyResult.Changed) result).commitMessage()).isNotBlank();
    }

    @Test
    void shouldNeverTouchTheGitDirectory() throws IOException {
        applier(other).apply(kb, changingJob("marker-2"), Jobs.KB);
        applier(other).apply(kb, escapingJob(), Jobs.KB);

        try (var files = Files.walk(kb.resolve(".git"))) {
            assertThat(files.filter(Files::isRegularFile)).containsExactly(kb.resolve(".git/config"));
        }
        assertThat(Files.readString(kb.resolve(".git/config"))).isEqualTo("[core]\n");
    }

    @Test
    void shouldMakeTheSameChangeWhenAppliedAgainToAFreshTree() throws IOException {
        Job job = changingJob("marker-3");

        ApplyResult first = applier(other).apply(kb, job, Jobs.KB);
        ApplyResult second = applier(other).apply(other, job, Jobs.KB);

        assertThat(second).isEqualTo(first);
        for (FileChange change : ((ApplyResult.Changed) first).files()) {
            assertThat(Files.readString(other.resolve(change.path())))
                    .isEqualTo(Files.readString(kb.resolve(change.path())));
        }
    }

    @Test
    void shouldRefuseToWriteOutsideTheKbAndChangeNothing() {
        Map<String, String> before = contents(kb);

        ApplyResult result = applier(other).apply(kb, escapingJob(), Jobs.KB);

        assertThat(result).isInstanceOf(ApplyResult.Refused.class);
        assertThat(changedPaths(before, contents(kb))).isEmpty();
    }

    private static Map<String, String> contents(Path root) {
        Map<String, String> contents = new java.util.TreeMap<>();
        WorkTrees.entries(root, true).forEach((path, entry) -> {
            try {
                contents.put(path, entry.isLink() ? "link:" + entry.linkTarget() : Files.readString(entry.path()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return contents;
    }

    private static Set<String> changedPaths(Map<String, String> before, Map<String, String> after) {
        Set<String> changed = new TreeSet<>();
        after.forEach((path, content) -> {
            if (!content.equals(before.get(path))) {
                changed.add(path);
            }
        });
        before.keySet().stream().filter(p -> !after.containsKey(p)).forEach(changed::add);
        return changed;
    }
}
