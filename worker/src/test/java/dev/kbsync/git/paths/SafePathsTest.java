package dev.kbsync.git.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SafePathsTest {
    @TempDir
    Path tmp;

    private SafePaths paths;

    @BeforeEach
    void createKb() throws Exception {
        Path kb = Files.createDirectories(tmp.resolve("kb"));
        Files.createDirectories(kb.resolve(".git"));
        Files.createDirectories(kb.resolve("notes"));
        Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(kb.resolve("out"), tmp.resolve("outside"));
        Files.createSymbolicLink(kb.resolve("notes/etc"), Path.of("/etc"));
        Files.createSymbolicLink(kb.resolve("gitdir"), kb.resolve(".git"));
        Files.createSymbolicLink(kb.resolve("dangling"), tmp.resolve("missing/x"));
        Files.createSymbolicLink(kb.resolve("alias"), kb.resolve("notes"));
        paths = SafePaths.of(kb);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "../outside/x.md",
                "notes/../../x.md",
                "..",
                "./a.md",
                "/etc/passwd",
                "C:/Windows/x",
                ".git/config",
                ".GIT/hooks/pre-commit",
                ".Git./config",
                ".git /config",
                "notes/.git/x",
                "git~1/config",
                ".g\u200cit/config",
                "notes\\..\\..\\x",
                "a\u0000b.md",
                "a\nb.md",
                "a\u007fb.md",
                "notes//a.md",
                "notes/",
                "",
                "   ",
                "out/x.md",
                "notes/etc/passwd",
                "gitdir/config",
                "dangling",
                "dangling/x.md",
                "aux.md",
            })
    void shouldRejectTheClassicMaliciousPaths(String path) {
        assertThatThrownBy(() -> paths.resolve(path))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_PATH"))
                .hasMessageStartingWith("Invalid path");
    }

    @Test
    void shouldRejectOverlongNamesAndPaths() {
        assertThatThrownBy(() -> paths.resolve("a".repeat(256) + ".md")).hasMessageContaining("255 bytes");
        assertThatThrownBy(() -> paths.resolve("ä".repeat(128))).hasMessageContaining("255 bytes");
        String deep = ("d".repeat(100) + "/").repeat(11) + "x.md";
        assertThatThrownBy(() -> paths.resolve(deep)).hasMessageContaining("1024 bytes");
        assertThatThrownBy(() -> paths.resolve(null)).isInstanceOf(InvalidInputException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.md", "notes/new/deep/note.md", "notes/ünïcødé 日本.md", ".github/x.yml", "a..b.md"})
    void shouldResolveOrdinaryPathsInsideTheKb(String path) {
        Path resolved = paths.resolve(path);
        assertThat(resolved).startsWithRaw(paths.root()).isEqualTo(paths.root().resolve(path));
    }

    @Test
    void shouldFollowSymlinksThatStayInsideTheKb() {
        assertThat(paths.resolve("alias/a.md")).isEqualTo(paths.root().resolve("notes/a.md"));
    }

    @Test
    void shouldNotEchoControlCharactersInTheMessage() {
        assertThatThrownBy(() -> paths.resolve("a\u001b[31mb"))
                .hasMessageNotContaining("\u001b")
                .hasMessageContaining("control characters");
    }
}
