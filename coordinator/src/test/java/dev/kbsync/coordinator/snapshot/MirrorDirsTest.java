package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorDirsTest {
    @TempDir
    Path base;

    @Test
    void shouldDeleteTheKbsOtherMirrorsOnlyAndKeepItsCurrentOneAndOtherKbs() throws IOException {
        MirrorDirs dirs = new MirrorDirs(base);
        Path current = mirror(dirs.of(kb("x", "https://git.example.com/b.git")));
        Path old = mirror(dirs.of(kb("x", "https://git.example.com/a.git")));
        Path prefixed = mirror(dirs.of(kb("x-1", "https://git.example.com/a.git")));
        Path lookalike = mirror(base.resolve("x-notadigest.git"));

        int moved = dirs.setAside(KbId.of("x"), Optional.of(current));
        dirs.emptyTrash();

        assertThat(moved).isEqualTo(1);
        assertThat(old).doesNotExist();
        assertThat(current).isDirectory();
        assertThat(prefixed).isDirectory();
        assertThat(lookalike).isDirectory();
        assertThat(base.resolve(".trash")).doesNotExist();
    }

    @Test
    void shouldDeleteEveryMirrorOfARemovedKb() throws IOException {
        MirrorDirs dirs = new MirrorDirs(base);
        Path one = mirror(dirs.of(kb("gone", "https://git.example.com/a.git")));
        Path two = mirror(dirs.of(kb("gone", "https://git.example.com/b.git")));

        assertThat(dirs.setAside(KbId.of("gone"), Optional.empty())).isEqualTo(2);
        dirs.emptyTrash();

        assertThat(one).doesNotExist();
        assertThat(two).doesNotExist();
    }

    private static KbConfig kb(String id, String remote) {
        return new KbConfig(KbId.of(id), remote, "main");
    }

    /** A directory that looks like a bare mirror. */
    static Path mirror(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("objects/pack"));
        Files.writeString(dir.resolve("HEAD"), "ref: refs/heads/main\n");
        return dir;
    }
}
