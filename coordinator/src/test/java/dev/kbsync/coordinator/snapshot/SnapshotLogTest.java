package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.lib.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log read's answer is bounded by its {@code limit}, whatever the commits hold: a commit whose message is megabytes
 * long (anything may push to a KB's remote) answers a subject of at most {@link SnapshotReads#SUBJECT_MAX} characters,
 * and its trailers are still read.
 */
class SnapshotLogTest {
    @TempDir
    Path dir;

    @Test
    void shouldCutAHugeSubjectAndStillReadTheTrailers() throws IOException, GitAPIException {
        try (Git git =
                Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call()) {
            Files.writeString(dir.resolve("a.md"), "a");
            git.add().addFilepattern("a.md").call();
            String huge = "x".repeat(3 * 1024 * 1024);
            ObjectId commit = git.commit()
                    .setMessage(huge + "\n\nKbsync-Job: team~job-1\nKbsync-Fence: 42\n")
                    .setSign(false)
                    .call();

            JsonObject log = SnapshotReads.log(
                    new Snapshot(git.getRepository(), commit), Optional.empty(), Optional.empty(), 10);

            JsonObject entry = log.getJsonArray("commits").getJsonObject(0);
            assertThat(entry.getString("subject"))
                    .hasSizeLessThanOrEqualTo(SnapshotReads.SUBJECT_MAX)
                    .endsWith("…");
            assertThat(entry.getString("job")).isEqualTo("team~job-1");
            assertThat(entry.getLong("fence")).isEqualTo(42L);
        }
    }
}
