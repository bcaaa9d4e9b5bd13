package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.git.GitException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;
import org.eclipse.jgit.api.errors.JGitInternalException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk is found however deep JGit or the applier wrapped the JDK's exception, and the message says where. */
class DiskFullTest {
    @TempDir
    Path cache;

    @Test
    void shouldFindAFullDiskUnderTheWrappersOfJGitAndTheApplier() {
        IOException enospc = new FileSystemException("/c/team/work/.git/index.lock", null, "No space left on device");

        assertThat(DiskFull.causedBy(new GitException(
                        "Git error during reset: Exception caught during execution of reset command",
                        new JGitInternalException("Exception caught during execution of reset command", enospc))))
                .isTrue();
        assertThat(DiskFull.causedBy(new UncheckedIOException("could not write note notes/a.md", enospc)))
                .isTrue();
        assertThat(DiskFull.causedBy(new IOException("Disk quota exceeded"))).isTrue();
        assertThat(DiskFull.causedBy(new GitException("Git error during fetch: connection reset", new IOException())))
                .isFalse();
        assertThat(DiskFull.causedBy(new IllegalStateException((String) null))).isFalse();
    }

    @Test
    void shouldNameTheCacheDirItsFreeSpaceAndWhatFailed() {
        String message = DiskFull.message(
                new CacheDisk(cache),
                new UncheckedIOException(
                        "could not write note notes/a.md",
                        new FileSystemException("/c/team/work/notes/a.md", null, "No space left on device")));

        assertThat(message)
                .startsWith("the worker's cache disk is full: " + cache.toAbsolutePath() + " has ")
                .contains(" free (could not write note notes/a.md: /c/team/work/notes/a.md: No space left on device)")
                .as("recorded on the job only once its attempts ran out: no promise of another run")
                .endsWith("No space left on device)");
    }
}
