package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.FileChange;
import dev.kbsync.worker.fixture.Jobs;
import dev.kbsync.worker.fixture.Scripts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file or folder an agent creates under a name not in NFC lands under its NFC name, or the task fails. */
class AgentUnicodeNamesTest {
    private static final String NFD = "notes/cafe\u0301.md";
    private static final String NFC = "notes/caf\u00e9.md";

    @TempDir
    Path kb;

    @TempDir
    Path scripts;

    @BeforeEach
    void seed() throws IOException {
        Files.createDirectories(kb.resolve(".git"));
        Files.createDirectories(kb.resolve("notes"));
        Files.writeString(kb.resolve("notes/keep.md"), "keep\n");
    }

    @Test
    void shouldWriteANewNfdFileUnderItsNfcName() throws IOException {
        ApplyResult result = run("echo new > '" + NFD + "'");

        assertThat(((ApplyResult.Changed) result).files())
                .containsExactly(new FileChange(NFC, FileChange.Change.CREATED, null));
        assertThat(kb.resolve(NFC)).hasContent("new");
        assertThat(names(kb.resolve("notes"))).containsExactlyInAnyOrder("keep.md", "caf\u00e9.md");
    }

    @Test
    void shouldWriteANewNfdFolderUnderItsNfcName() throws IOException {
        String folder = "Re\u0301sume\u0301s";
        ApplyResult result = run("mkdir " + folder + "; echo a > " + folder + "/a.md; echo b > " + folder + "/b.md");

        String nfc = "R\u00e9sum\u00e9s";
        assertThat(((ApplyResult.Changed) result).files())
                .containsExactly(
                        new FileChange(nfc + "/a.md", FileChange.Change.CREATED, null),
                        new FileChange(nfc + "/b.md", FileChange.Change.CREATED, null));
        assertThat(names(kb)).containsExactlyInAnyOrder(".git", "notes", nfc);
    }

    @Test
    void shouldKeepTheNameOfAFolderTheKbAlreadyHas() throws IOException {
        Files.createDirectories(kb.resolve("Re\u0301s"));
        Files.writeString(kb.resolve("Re\u0301s/old.md"), "old\n");

        ApplyResult result = run("echo new > Re\u0301s/new.md");

        assertThat(((ApplyResult.Changed) result).files())
                .containsExactly(new FileChange("Re\u0301s/new.md", FileChange.Change.CREATED, null));
    }

    @Test
    void shouldFailWhenTheNfcNameIsInTheKb() throws IOException {
        Files.writeString(kb.resolve(NFC), "nfc\n");

        ApplyResult result = run("echo nfd > '" + NFD + "'");

        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("PATH_CASE_CONFLICT");
        assertThat(((ApplyResult.Refused) result).error().message()).contains(NFD, NFC);
        assertThat(kb.resolve(NFC)).hasContent("nfc");
        assertThat(names(kb.resolve("notes"))).containsExactlyInAnyOrder("keep.md", "caf\u00e9.md");
    }

    @Test
    void shouldFailWhenTheAgentAlsoCreatesTheNfcName() throws IOException {
        ApplyResult result = run("echo nfd > '" + NFD + "'; echo nfc > '" + NFC + "'");

        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("PATH_CASE_CONFLICT");
        assertThat(names(kb.resolve("notes"))).containsExactly("keep.md");
    }

    private ApplyResult run(String body) {
        AgentApplier applier =
                new AgentApplier(Optional.of(Scripts.agent(scripts, "agent", body, Duration.ofSeconds(30))));
        return applier.apply(kb, Jobs.agent("j1", "bob", "write a note"), Jobs.KB);
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
