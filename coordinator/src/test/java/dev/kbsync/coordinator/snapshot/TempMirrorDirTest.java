package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read mirrors' temporary directory (no {@code reads.mirrorDir}) is removed at stop, and the ones a run that
 * never stopped left (a crash, {@code kill -9}, an out-of-memory exit) are removed by the next start: before, each
 * crash left a whole set of mirrors behind for good (a container restarted in place kept them in its layer).
 */
class TempMirrorDirTest {
    @TempDir
    Path root;

    @Test
    void shouldRemoveWhatARunThatNeverStoppedLeftAndItsOwnAtClose() throws IOException {
        Path crashed = Files.createDirectories(root.resolve("kbsync-mirrors-123"));
        Files.createDirectories(crashed.resolve("notes-0123456789ab.git/objects"));
        Files.writeString(crashed.resolve(TempMirrorDir.OWNER), "");

        TempMirrorDir dir = TempMirrorDir.create(root);

        assertThat(crashed).doesNotExist();
        assertThat(dir.path()).isDirectory().hasParent(root);
        dir.close();
        assertThat(dir.path()).doesNotExist();
    }

    @Test
    void shouldKeepTheDirectoryOfARunStillGoing() throws IOException {
        try (TempMirrorDir running = TempMirrorDir.create(root);
                TempMirrorDir next = TempMirrorDir.create(root)) {
            assertThat(running.path()).isDirectory();
            assertThat(next.path()).isDirectory().isNotEqualTo(running.path());
        }
    }

    @Test
    void shouldRemoveAnOlderVersionsDirectoryOnlyOnceItIsADayOld() throws IOException {
        Path recent = Files.createDirectories(root.resolve("kbsync-mirrors-456"));
        Path old = Files.createDirectories(root.resolve("kbsync-mirrors-789"));
        Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(Duration.ofDays(2))));
        Path other = Files.createDirectories(root.resolve("something-else"));

        TempMirrorDir.create(root).close();

        assertThat(recent).as("no owner file: maybe a running older version's").isDirectory();
        assertThat(old).doesNotExist();
        assertThat(other).isDirectory();
    }
}
