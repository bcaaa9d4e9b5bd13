package dev.kbsync.git.paths;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Histogram;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;
import org.eclipse.jgit.util.FileUtils;

/** 10,000 generated paths against a KB full of traps: whatever resolves stays inside the KB and outside .git. */
class SafePathsPropertyTest {
    private static Path tmp;
    private static SafePaths paths;

    @BeforeContainer
    static void createKbWithTraps() throws IOException {
        tmp = Files.createTempDirectory("safepaths");
        Path kb = Files.createDirectories(tmp.resolve("kb"));
        Files.createDirectories(kb.resolve(".git/objects"));
        Files.createDirectories(kb.resolve("notes/sub"));
        Files.writeString(kb.resolve("notes/a.md"), "a");
        Files.createDirectories(tmp.resolve("outside"));
        Files.createSymbolicLink(kb.resolve("out"), tmp.resolve("outside"));
        Files.createSymbolicLink(kb.resolve("notes/up"), kb.getParent());
        Files.createSymbolicLink(kb.resolve("notes/root"), Path.of("/"));
        Files.createSymbolicLink(kb.resolve("gitlink"), kb.resolve(".git"));
        Files.createSymbolicLink(kb.resolve("notes/objs"), Path.of("../.git/objects"));
        Files.createSymbolicLink(kb.resolve("inside"), Path.of("notes"));
        Files.createSymbolicLink(kb.resolve("dangling"), tmp.resolve("nowhere"));
        Files.createSymbolicLink(kb.resolve("self"), Path.of("."));
        paths = SafePaths.of(kb);
    }

    @AfterContainer
    static void removeKb() throws IOException {
        FileUtils.delete(tmp.toFile(), FileUtils.RECURSIVE);
    }

    @Property(tries = 10_000)
    @StatisticsReport(format = Histogram.class)
    void resolvedPathsStayInsideTheKbAndOutsideGit(@ForAll("paths") String path) throws IOException {
        Path resolved;
        try {
            resolved = paths.resolve(path);
        } catch (InvalidInputException e) {
            assertThat(e.code()).isEqualTo(SafePaths.INVALID_PATH);
            Statistics.collect("rejected");
            return;
        }
        Statistics.collect("accepted");
        Path root = paths.root();
        assertThat(resolved).startsWithRaw(root).isNotEqualTo(root);
        assertThat(root.relativize(resolved).getName(0).toString().toLowerCase())
                .doesNotStartWith(".git");
        Path existing = resolved;
        while (!Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        Path real = existing.toRealPath();
        assertThat(real).startsWithRaw(root);
        assertThat(real.startsWith(root.resolve(".git"))).isFalse();
    }

    /** Guards the generator: enough generated paths must be accepted for the property to mean something. */
    @Property(tries = 2_000)
    void generatorProducesAcceptedAndRejectedPaths(@ForAll("paths") String path) {
        boolean accepted;
        try {
            paths.resolve(path);
            accepted = true;
        } catch (InvalidInputException e) {
            accepted = false;
        }
        Statistics.collect(accepted);
        Statistics.coverage(c -> {
            c.check(true).percentage(p -> p > 3); // about 7 %: 2,000 tries put it 5 sigma clear
            c.check(false).percentage(p -> p > 50);
        });
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> traps = Arbitraries.of(
                "..",
                ".",
                "",
                ".git",
                ".GIT",
                ".Git.",
                ".git ",
                ".git. .",
                "git~1",
                "out",
                "notes",
                "sub",
                "up",
                "root",
                "gitlink",
                "objs",
                "inside",
                "dangling",
                "self",
                "a.md",
                "etc",
                "passwd",
                "ü",
                "日本語",
                "\u200c.git",
                "a\\b",
                "a\u0000b",
                "\t",
                "C:",
                "x".repeat(300));
        Arbitrary<String> random = Arbitraries.strings()
                .withCharRange(' ', '~')
                .withChars('ä', '\u200c', '\u0001', '/', '.')
                .ofMinLength(0)
                .ofMaxLength(12);
        Arbitrary<String> segment =
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, traps), net.jqwik.api.Tuple.of(2, random));
        Arbitrary<String> separator = Arbitraries.of("/", "/", "/", "//", "\\");
        return Arbitraries.lazy(() -> segment.list().ofMinSize(1).ofMaxSize(6))
                .flatMap(segments -> separator.map(sep -> String.join(sep, segments)))
                .flatMap(p -> Arbitraries.of("", "", "", "/", "./").map(prefix -> prefix + p));
    }
}
