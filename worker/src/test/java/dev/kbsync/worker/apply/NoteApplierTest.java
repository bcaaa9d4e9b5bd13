package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.FileChange;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.api.NotePathTemplate;
import dev.kbsync.worker.fixture.Jobs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.StoredConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NoteApplierTest {
    @TempDir
    Path kb;

    @TempDir
    Path host;

    private final NoteApplier applier = new NoteApplier(Optional.empty(), Clock.systemUTC());

    @Test
    void shouldWriteMarkdownWithFrontMatter() throws IOException {
        ApplyResult result =
                applier.apply(kb, Jobs.note("j1", "alice", "Buy \"milk\"\nand bread", "Shopping", null), Jobs.KB);

        assertThat(result)
                .isEqualTo(new ApplyResult.Changed(
                        "Add: Shopping",
                        List.of(new FileChange("notes/2026/11/shopping.md", FileChange.Change.CREATED, null))));
        assertThat(Files.readString(kb.resolve("notes/2026/11/shopping.md")))
                .isEqualTo("---\ntitle: \"Shopping\"\nauthor: \"alice\"\ncreated: 2026-11-29T08:00:00Z\n---\n\n"
                        + "Buy \"milk\"\nand bread\n");
    }

    @Test
    void shouldDeriveTheTitleFromTheFirstLineAndAvoidCollisions() throws IOException {
        Files.createDirectories(kb.resolve("notes/2026/11"));
        Files.writeString(kb.resolve("notes/2026/11/meeting-notes.md"), "taken");
        Files.writeString(kb.resolve("notes/2026/11/meeting-notes-2.md"), "taken");

        ApplyResult result = applier.apply(kb, Jobs.note("j2", "alice", "# Meeting notes!\nbody", null, null), Jobs.KB);

        assertThat(((ApplyResult.Changed) result).commitMessage()).isEqualTo("Add: Meeting notes!");
        assertThat(((ApplyResult.Changed) result).files())
                .extracting(FileChange::path)
                .containsExactly("notes/2026/11/meeting-notes-3.md");
    }

    /**
     * A case twin of the note's file moves it on to -2; one of its folder cannot be avoided that way, so the first name
     * stays (and the cycle refuses the note, PATH_CASE_CONFLICT).
     */
    @Test
    void shouldSkipANameWhoseFileHasACaseTwinButNotOneWhoseFolderHas() {
        CaseIndex fileTwin = path ->
                path.equals("notes/2026/11/standup.md") ? Optional.of("notes/2026/11/Standup.md") : Optional.empty();
        CaseIndex folderTwin = path -> Optional.of("Notes");

        ApplyResult moved = applier.apply(
                kb, Jobs.note("j6", "alice", "text", "Standup", null), Jobs.KB, StopSignal.never(), fileTwin);
        ApplyResult kept = applier.apply(
                kb, Jobs.note("j7", "alice", "text", "Plan", null), Jobs.KB, StopSignal.never(), folderTwin);

        assertThat(((ApplyResult.Changed) moved).files())
                .extracting(FileChange::path)
                .containsExactly("notes/2026/11/standup-2.md");
        assertThat(((ApplyResult.Changed) kept).files())
                .extracting(FileChange::path)
                .containsExactly("notes/2026/11/plan.md");
    }

    @Test
    void shouldPutANoteWhereItsKbsTemplateSaysAndResolveCollisionsThere() throws IOException {
        KbConfig daily = new KbConfig(
                KbId.of("team"),
                "file:///team.git",
                "main",
                new NotePathTemplate("journal/{yyyy}-{MM}-{dd}/{slug}.txt"));
        Files.createDirectories(kb.resolve("journal/2026-11-29"));
        Files.writeString(kb.resolve("journal/2026-11-29/standup.txt"), "taken");
        KbConfig root = new KbConfig(KbId.of("team"), "file:///team.git", "main", new NotePathTemplate("{slug}.md"));

        ApplyResult dated = applier.apply(kb, Jobs.note("j6", "alice", "text", "Standup", null), daily);
        ApplyResult atRoot = applier.apply(kb, Jobs.note("j7", "alice", "text", "Standup", null), root);

        assertThat(((ApplyResult.Changed) dated).files())
                .containsExactly(new FileChange("journal/2026-11-29/standup-2.txt", FileChange.Change.CREATED, null));
        assertThat(((ApplyResult.Changed) atRoot).files())
                .containsExactly(new FileChange("standup.md", FileChange.Change.CREATED, null));
        assertThat(kb.resolve("journal/2026-11-29/standup-2.txt")).exists();
    }

    @Test
    void shouldRefuseATemplateFolderThatLeavesTheKb() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        Files.createSymbolicLink(kb.resolve("notes"), outside);

        ApplyResult result = applier.apply(kb, Jobs.note("j8", "alice", "x", "X", null), Jobs.KB);

        assertThat(result)
                .isInstanceOfSatisfying(
                        ApplyResult.Refused.class,
                        r -> assertThat(r.error().code()).isEqualTo("INVALID_PATH"));
        try (var files = Files.list(outside)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void shouldWriteToTheRequestedPathAndReportAnEdit() throws IOException {
        Files.createDirectories(kb.resolve("ideas"));
        Files.writeString(kb.resolve("ideas/x.md"), "old");

        ApplyResult result = applier.apply(kb, Jobs.note("j3", "alice", "new", "X", "ideas/x.md"), Jobs.KB);

        assertThat(((ApplyResult.Changed) result).files())
                .containsExactly(new FileChange("ideas/x.md", FileChange.Change.EDITED, null));
    }

    /**
     * A note to an existing file that is not UTF-8 text (Latin-1, binary) is this note's own answer, never an error
     * that fails the notes of its group commit with it: unchanged since the note was submitted, the note replaces it
     * as any file; changed since, it cannot be merged, and the note alone is refused.
     */
    @Test
    void shouldReplaceOrRefuseANoteOntoAFileThatIsNotUtf8WithoutFailing() throws Exception {
        byte[] latin1 = {'c', 'a', 'f', (byte) 0xe9, '\n'};
        try (Git git =
                Git.init().setDirectory(kb.toFile()).setInitialBranch("main").call()) {
            commit(git, "ideas/old.md", latin1, Instant.parse("2026-11-29T07:00:00Z"));

            ApplyResult unchanged = applier.apply(kb, Jobs.note("j10", "alice", "new", "X", "ideas/old.md"), Jobs.KB);

            assertThat(((ApplyResult.Changed) unchanged).files())
                    .containsExactly(new FileChange("ideas/old.md", FileChange.Change.EDITED, null));

            commit(
                    git,
                    "ideas/other.md",
                    "old\n".getBytes(StandardCharsets.UTF_8),
                    Instant.parse("2026-11-29T07:00:00Z"));
            commit(git, "ideas/other.md", latin1, Instant.parse("2026-11-29T09:00:00Z")); // after the note's submit

            ApplyResult changed = applier.apply(kb, Jobs.note("j11", "alice", "new", "Y", "ideas/other.md"), Jobs.KB);

            ApplyResult.Refused refused = (ApplyResult.Refused) changed;
            assertThat(refused.error().code()).isEqualTo(NoteApplier.CONFLICT);
            assertThat(refused.error().message()).contains("not UTF-8 text");
            assertThat(Files.readAllBytes(kb.resolve("ideas/other.md"))).isEqualTo(latin1);

            // é changed to è since the submit: both decode to the same replacement character, the bytes differ
            commit(git, "ideas/third.md", latin1, Instant.parse("2026-11-29T07:00:00Z"));
            commit(
                    git,
                    "ideas/third.md",
                    new byte[] {'c', 'a', 'f', (byte) 0xe8, '\n'},
                    Instant.parse("2026-11-29T09:00:00Z"));

            ApplyResult third = applier.apply(kb, Jobs.note("j12", "alice", "new", "Z", "ideas/third.md"), Jobs.KB);

            assertThat(((ApplyResult.Refused) third).error().code()).isEqualTo(NoteApplier.CONFLICT);
        }
    }

    private void commit(Git git, String path, byte[] content, Instant when) throws Exception {
        Path file = kb.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
        git.add().addFilepattern(path).call();
        PersonIdent who = new PersonIdent("t", "t@example.com", when, ZoneOffset.UTC);
        git.commit().setMessage("edit " + path).setAuthor(who).setCommitter(who).call();
    }

    /**
     * An untracked file the KB's {@code .gitignore} excludes (left in the checkout) does not make a note's path an
     * existing file: git would not commit the note there either. A tracked file that a rule matches is still edited.
     */
    @Test
    void shouldRefuseANoteOntoAnIgnoredUntrackedFileButEditATrackedOne() throws Exception {
        try (Git git =
                Git.init().setDirectory(kb.toFile()).setInitialBranch("main").call()) {
            Instant before = Instant.parse("2026-11-29T07:00:00Z");
            commit(git, "tracked.tmp", "tracked\n".getBytes(StandardCharsets.UTF_8), before);
            commit(git, ".gitignore", "*.tmp\n".getBytes(StandardCharsets.UTF_8), before);
            Files.writeString(kb.resolve("left.tmp"), "left over\n");

            ApplyResult untracked = applier.apply(kb, Jobs.note("j13", "alice", "x", "X", "left.tmp"), Jobs.KB);
            ApplyResult tracked = applier.apply(kb, Jobs.note("j14", "alice", "x", "X", "tracked.tmp"), Jobs.KB);

            assertThat(untracked).isInstanceOf(ApplyResult.Refused.class);
            assertThat(((ApplyResult.Refused) untracked).error().code()).isEqualTo("INVALID_PATH");
            assertThat(((ApplyResult.Refused) untracked).error().message()).contains(".gitignore");
            assertThat(kb.resolve("left.tmp")).hasContent("left over");
            assertThat(((ApplyResult.Changed) tracked).files())
                    .containsExactly(new FileChange("tracked.tmp", FileChange.Change.EDITED, null));
        }
    }

    /**
     * The checkout's {@code core.excludesFile} (git reads it from the repository's, the user's or the system's config)
     * excludes paths as the KB's {@code .gitignore} does: JGit's add would not stage the note, which would read done
     * with nothing committed.
     */
    @Test
    void shouldRefuseANoteThatTheCheckoutsCoreExcludesFileIgnores() throws Exception {
        try (Git git =
                Git.init().setDirectory(kb.toFile()).setInitialBranch("main").call()) {
            commit(git, "README.md", "kb\n".getBytes(StandardCharsets.UTF_8), Instant.parse("2026-11-29T07:00:00Z"));
            excludesFile(git, "build/\n");

            ApplyResult result = applier.apply(kb, Jobs.note("j17", "alice", "x", "X", "build/2024/note.md"), Jobs.KB);

            assertThat(result).isInstanceOf(ApplyResult.Refused.class);
            assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("INVALID_PATH");
            assertThat(((ApplyResult.Refused) result).error().message()).contains("core.excludesFile");
            assertThat(kb.resolve("build")).doesNotExist();
        }
    }

    /**
     * {@code core.excludesFile} has the lowest priority, as in git (and JGit's add): the KB's {@code .gitignore} and
     * {@code .git/info/exclude} overrule it.
     */
    @Test
    void shouldLetTheKbsOwnIgnoreRulesOverruleTheCoreExcludesFile() throws Exception {
        try (Git git =
                Git.init().setDirectory(kb.toFile()).setInitialBranch("main").call()) {
            commit(
                    git,
                    ".gitignore",
                    "!build/\n".getBytes(StandardCharsets.UTF_8),
                    Instant.parse("2026-11-29T07:00:00Z"));
            Files.createDirectories(kb.resolve(".git/info"));
            Files.writeString(kb.resolve(".git/info/exclude"), "!tmp/\n");
            excludesFile(git, "build/\ntmp/\n");

            ApplyResult build = applier.apply(kb, Jobs.note("j18", "alice", "x", "X", "build/note.md"), Jobs.KB);
            ApplyResult tmp = applier.apply(kb, Jobs.note("j19", "alice", "x", "X", "tmp/note.md"), Jobs.KB);

            assertThat(build).isInstanceOf(ApplyResult.Changed.class);
            assertThat(tmp).isInstanceOf(ApplyResult.Changed.class);
            git.add()
                    .addFilepattern("build/note.md")
                    .addFilepattern("tmp/note.md")
                    .call();
            assertThat(git.status().call().getAdded())
                    .as("JGit stages them too")
                    .containsExactlyInAnyOrder("build/note.md", "tmp/note.md");
        }
    }

    /** Sets the repository's {@code core.excludesFile} to a file outside the KB holding {@code rules}. */
    private void excludesFile(Git git, String rules) throws IOException {
        Path file = host.resolve("global-ignore");
        Files.writeString(file, rules);
        StoredConfig config = git.getRepository().getConfig();
        config.setString("core", null, "excludesFile", file.toString());
        config.save();
    }

    /** The names kbsync never writes hold for where a path leads through the KB's links, not only for its text. */
    @Test
    void shouldRefuseANoteThroughALinkToAGitConfigurationFile() throws IOException {
        Files.writeString(kb.resolve(".gitattributes"), "*.md text\n");
        Files.writeString(kb.resolve(".gitmodules"), "");
        Files.createSymbolicLink(kb.resolve("attrs.md"), Path.of(".gitattributes"));
        Files.createDirectories(kb.resolve("sub"));
        Files.createSymbolicLink(kb.resolve("sub/modules.md"), Path.of("../.gitmodules"));

        ApplyResult attributes = applier.apply(kb, Jobs.note("j15", "alice", "x", "X", "attrs.md"), Jobs.KB);
        ApplyResult modules = applier.apply(kb, Jobs.note("j16", "alice", "x", "X", "sub/modules.md"), Jobs.KB);

        for (ApplyResult result : List.of(attributes, modules)) {
            assertThat(result).isInstanceOf(ApplyResult.Refused.class);
            assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("INVALID_PATH");
        }
        assertThat(kb.resolve(".gitattributes")).hasContent("*.md text");
        assertThat(kb.resolve(".gitmodules")).isEmptyFile();
    }

    @Test
    void shouldRefuseAGitPath() {
        ApplyResult result = applier.apply(kb, Jobs.note("j4", "alice", "x", "X", ".git/config"), Jobs.KB);

        assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("INVALID_PATH");
    }

    /**
     * A path that passes the submit's syntax check but clashes with the tree (a file used as a folder, or a folder) is
     * this note's own refusal, not an error that fails the notes of its group commit with it.
     */
    @Test
    void shouldRefuseAPathThatClashesWithTheTreeAndWriteNothing() throws IOException {
        Files.writeString(kb.resolve("README.md"), "# KB\n");
        Files.createDirectories(kb.resolve("docs"));
        KbConfig template =
                new KbConfig(KbId.of("team"), "file:///team.git", "main", new NotePathTemplate("README.md/{slug}.md"));

        ApplyResult throughAFile = applier.apply(kb, Jobs.note("j9", "alice", "x", "X", "README.md/x.md"), Jobs.KB);
        ApplyResult deeper = applier.apply(kb, Jobs.note("j10", "alice", "x", "X", "README.md/a/b.md"), Jobs.KB);
        ApplyResult aFolder = applier.apply(kb, Jobs.note("j11", "alice", "x", "X", "docs"), Jobs.KB);
        ApplyResult byTemplate = applier.apply(kb, Jobs.note("j12", "alice", "x", "X", null), template);

        for (ApplyResult result : List.of(throughAFile, deeper, aFolder, byTemplate)) {
            assertThat(result).isInstanceOf(ApplyResult.Refused.class);
            assertThat(((ApplyResult.Refused) result).error().code()).isEqualTo("INVALID_PATH");
        }
        assertThat(((ApplyResult.Refused) throughAFile).error().message()).contains("'README.md' is a file");
        assertThat(((ApplyResult.Refused) aFolder).error().message()).contains("'docs' is a folder");
        assertThat(Files.readString(kb.resolve("README.md"))).isEqualTo("# KB\n");
        try (var listed = Files.list(kb.resolve("docs"))) {
            assertThat(listed).isEmpty();
        }
    }

    /** A title derived from the text (no title given) carries no control character into the commit or front matter. */
    @Test
    void shouldLeaveControlCharactersOutOfATitleDerivedFromTheText() {
        ApplyResult result = applier.apply(
                kb,
                Jobs.note("j13", "alice", "text with \u001b[31mANSI\u0007 and \u0001 end\nbody", null, null),
                Jobs.KB);

        assertThat(((ApplyResult.Changed) result).commitMessage()).isEqualTo("Add: text with [31mANSI and end");
    }

    @Test
    void shouldLetAConfiguredNoteAgentTurnTheTextIntoFiles(@TempDir Path scripts) throws IOException {
        NoteApplier withAgent = new NoteApplier(
                Optional.of(dev.kbsync.worker.fixture.Scripts.agent(
                        scripts,
                        "note-agent",
                        "mkdir -p inbox; cat > inbox/from-agent.md",
                        java.time.Duration.ofSeconds(30))),
                Clock.systemUTC());

        ApplyResult result =
                withAgent.apply(kb, Jobs.note("j5", "alice", "the user's message", "Inbox", null), Jobs.KB);

        assertThat(result)
                .isEqualTo(new ApplyResult.Changed(
                        "Add: Inbox", List.of(new FileChange("inbox/from-agent.md", FileChange.Change.CREATED, null))));
        assertThat(Files.readString(kb.resolve("inbox/from-agent.md"))).isEqualTo("the user's message");
    }

    @Test
    void shouldSlugUnicodeTitles() {
        assertThat(Slugs.slug("Café  Über -- Notes?")).isEqualTo("cafe-uber-notes");
        assertThat(Slugs.slug("???")).isEqualTo("note");
    }

    @Test
    void shouldNotSlugATitleIntoAWindowsDeviceNameGitRefuses() {
        // "con.md" is a path git refuses (safe for Windows checkouts): a note titled "Con" failed INVALID_PATH
        assertThat(Slugs.slug("Con")).isEqualTo("con-note");
        assertThat(Slugs.slug("AUX")).isEqualTo("aux-note");
        assertThat(Slugs.slug("com1")).isEqualTo("com1-note");
        assertThat(Slugs.slug("con artists")).isEqualTo("con-artists");
        assertThat(Slugs.slug("com10")).isEqualTo("com10");
    }
}
