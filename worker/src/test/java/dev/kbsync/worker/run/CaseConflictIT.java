package dev.kbsync.worker.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.kbsync.api.FileChange;
import dev.kbsync.git.GitAuth;
import dev.kbsync.worker.fixture.GitFixture;
import dev.kbsync.worker.fixture.Jobs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A path a case-insensitive file system would take for one the KB already has (macOS: in the other Unicode form too) is
 * refused; the exact path is not, and a note names a file in NFC whatever form it was sent in.
 */
class CaseConflictIT {
    private static final String NFC = "notes/caf\u00e9.md";
    private static final String NFD = "notes/cafe\u0301.md";

    @TempDir
    Path tmp;

    private Path bare;
    private String remote;
    private KbCheckout checkout;
    private final PublishCycle cycle =
            new PublishCycle(new PushRetry(5, Duration.ofMillis(10)), PhaseListener.NONE, d -> {});

    @BeforeEach
    void setUp() {
        bare = tmp.resolve("remote.git");
        remote = GitFixture.bareRemote(bare);
        checkout = new KbCheckout(remote, "main", tmp.resolve("cache/team/work"), GitAuth.NONE);
    }

    @AfterEach
    void tearDown() {
        checkout.close();
    }

    @Test
    void shouldRefuseANoteWhosePathDiffersOnlyInCaseFromAFileOfTheKb() {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "readme.md", "existing\n");

        Outcome outcome = cycle.run(checkout, note("n1", 3, "README.MD"));

        assertRefused(outcome, "README.MD", "readme.md");
        assertThat(GitFixture.history(bare))
                .extracting(RevCommit::getShortMessage)
                .first()
                .isEqualTo("Direct: readme.md");
        assertThat(checkout.syncToRemote().workTree().resolve("README.MD")).doesNotExist();
    }

    /** A name from the title's slug is free only if no file of the KB differs from it in case alone: -2, -3... */
    @Test
    void shouldGiveATitledNoteTheNextNameWhenItsSlugDiffersOnlyInCaseFromAFileOfTheKb() {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "Note-N1.md", "existing\n");
        GitFixture.pushDirectly(remote, tmp.resolve("other2"), "NOTE-N1-2.md", "existing too\n");

        Outcome outcome = cycle.run(checkout, note("n1", 3, null));

        assertThat(outcome).isInstanceOf(Outcome.Published.class);
        assertThat(((Outcome.Published) outcome).files())
                .extracting(FileChange::path, FileChange::change)
                .containsExactly(tuple("note-n1-3.md", FileChange.Change.CREATED));
    }

    @Test
    void shouldRefuseANoteWhoseFolderDiffersOnlyInCaseFromAFolderOfTheKb() {
        assertThat(cycle.run(checkout, note("n1", 3, "notes/plan.md"))).isInstanceOf(Outcome.Published.class);

        Outcome outcome = cycle.run(checkout, note("n2", 4, "Notes/x.md"));

        assertRefused(outcome, "Notes/x.md", "notes");
        assertThat(GitFixture.jobs(bare)).containsExactly("n1");
    }

    @Test
    void shouldLeaveNothingOfARefusedNoteInTheWorkTreeForTheNextNoteOfItsBatch() {
        assertThat(cycle.run(checkout, note("n1", 3, "case/readme.md"))).isInstanceOf(Outcome.Published.class);

        List<Outcome> outcomes = cycle.runAll(
                checkout,
                List.of(note("n2", 4, "Case/README.MD"), note("n3", 5, "Case/other.md"), note("n4", 6, null)));

        assertRefused(outcomes.get(0), "Case/README.MD", "case");
        assertRefused(outcomes.get(1), "Case/other.md", "case");
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Published.class);
        assertThat(checkout.syncToRemote().workTree().resolve("Case")).doesNotExist();
    }

    @Test
    void shouldStillEditAFileAtExactlyItsPath() {
        assertThat(cycle.run(checkout, note("n1", 3, "notes/Plan.md"))).isInstanceOf(Outcome.Published.class);

        Outcome outcome = cycle.run(checkout, note("n2", 4, "notes/Plan.md"));

        assertThat(outcome).isInstanceOf(Outcome.Published.class);
        assertThat(((Outcome.Published) outcome).files())
                .extracting(FileChange::change)
                .containsExactly(FileChange.Change.EDITED);
    }

    @Test
    void shouldRefuseACaseTwinOfAPathCreatedEarlierInTheSameBatch() {
        List<Outcome> outcomes = cycle.runAll(
                checkout,
                List.of(
                        note("n1", 3, "notes/Plan.md"),
                        note("n2", 4, "notes/plan.md"),
                        note("n3", 5, "notes/other.md")));

        assertThat(outcomes.get(0)).isInstanceOf(Outcome.Published.class);
        assertRefused(outcomes.get(1), "notes/plan.md", "notes/Plan.md");
        assertThat(outcomes.get(2)).isInstanceOf(Outcome.Published.class);
        assertThat(GitFixture.jobs(bare)).containsExactlyInAnyOrder("n1", "n3");
    }

    @Test
    void shouldSeeFilesAnotherWriterPushedSinceTheLastCycle() {
        assertThat(cycle.run(checkout, note("n1", 3, "a.md"))).isInstanceOf(Outcome.Published.class);
        GitFixture.pushDirectly(remote, tmp.resolve("other"), "Shared.md", "from elsewhere\n");

        Outcome outcome = cycle.run(checkout, note("n2", 4, "shared.md"));

        assertRefused(outcome, "shared.md", "Shared.md");
    }

    @Test
    void shouldEditTheKbsNfcFileWhenANoteNamesItInNfd() throws Exception {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), NFC, "existing\n");

        Outcome outcome = cycle.run(checkout, note("n1", 3, NFD));

        assertThat(outcome).isInstanceOf(Outcome.Published.class);
        assertThat(((Outcome.Published) outcome).files())
                .extracting(FileChange::path, FileChange::change)
                .containsExactly(tuple(NFC, FileChange.Change.EDITED));
        assertThat(files(checkout.syncToRemote().workTree().resolve("notes"))).containsExactly("caf\u00e9.md");
    }

    @Test
    void shouldWriteANewNoteNamedInNfdAtItsNfcPath() throws Exception {
        Outcome outcome = cycle.run(checkout, note("n1", 3, NFD));

        assertThat(((Outcome.Published) outcome).files())
                .extracting(FileChange::path, FileChange::change)
                .containsExactly(tuple(NFC, FileChange.Change.CREATED));
        assertThat(files(checkout.syncToRemote().workTree().resolve("notes"))).containsExactly("caf\u00e9.md");
    }

    @Test
    void shouldRefuseANoteWhenTheKbHasItsPathInAnotherUnicodeForm() {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), NFD, "written on Linux in NFD\n");

        assertRefused(cycle.run(checkout, note("n1", 3, NFC)), NFC, NFD);
        assertRefused(cycle.run(checkout, note("n2", 4, NFD)), NFC, NFD);
        assertThat(GitFixture.jobs(bare)).isEmpty();
    }

    @Test
    void shouldCommitAFileAnAgentCreatesInNfdUnderItsNfcName() throws Exception {
        Files.createDirectories(tmp.resolve("scripts"));
        WorkUnit agent = new AgentScriptUnit("a1", tmp.resolve("scripts"), "mkdir -p notes; echo x > '" + NFD + "'");

        Outcome outcome = cycle.run(checkout, agent);

        assertThat(((Outcome.Published) outcome).files())
                .extracting(FileChange::path, FileChange::change)
                .containsExactly(tuple(NFC, FileChange.Change.CREATED));
        assertThat(GitFixture.paths(bare)).containsExactlyInAnyOrder("README.md", NFC);
    }

    @Test
    void shouldRefuseAnAgentsNfdFileWhenTheKbHasItsNfcName() throws Exception {
        GitFixture.pushDirectly(remote, tmp.resolve("other"), NFC, "existing\n");
        Files.createDirectories(tmp.resolve("scripts"));
        WorkUnit agent = new AgentScriptUnit("a1", tmp.resolve("scripts"), "echo x > '" + NFD + "'");

        assertRefused(cycle.run(checkout, agent), NFD, NFC);
        assertThat(GitFixture.paths(bare)).containsExactlyInAnyOrder("README.md", NFC);
    }

    private static void assertRefused(Outcome outcome, String path, String existing) {
        assertThat(outcome).isInstanceOf(Outcome.Failed.class);
        Outcome.Failed failed = (Outcome.Failed) outcome;
        assertThat(failed.error().code()).isEqualTo("PATH_CASE_CONFLICT");
        assertThat(failed.error().message()).contains("'" + path + "'", "'" + existing + "'");
    }

    private static List<String> files(Path folder) throws IOException {
        try (Stream<Path> listed = Files.list(folder)) {
            return listed.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static NoteUnit note(String id, long fence, String path) {
        return new NoteUnit(Jobs.note(id, "alice", "text of " + id, "Note " + id, path), fence);
    }
}
