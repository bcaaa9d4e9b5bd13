package dev.kbsync.worker.apply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class NoteMergeTest {
    @Test
    void shouldKeepBothTextsInOrderWhenTwoNotesCreatedTheSameFile() {
        Optional<String> merged = NoteMerge.merge(Optional.empty(), "note B\n", Optional.of("note A\n"));

        assertThat(merged).contains("note A\n\nnote B\n");
    }

    @Test
    void shouldKeepBothAppendsInOrderAfterTheCommonText() {
        String base = "# Journal\n\nday 1\n";

        Optional<String> merged =
                NoteMerge.merge(Optional.of(base), base + "day 2 (note)\n", Optional.of(base + "day 2 (branch)\n"));

        assertThat(merged).contains("# Journal\n\nday 1\nday 2 (branch)\n\nday 2 (note)\n");
    }

    @Test
    void shouldMergeEditsOfDifferentLines() {
        String base = "a: 1\nb: 2\nc: 3\nd: 4\n";

        Optional<String> merged = NoteMerge.merge(
                Optional.of(base), "a: 1\nb: 2\nc: 3\nd: 40\n", Optional.of("a: 10\nb: 2\nc: 3\nd: 4\n"));

        assertThat(merged).contains("a: 10\nb: 2\nc: 3\nd: 40\n");
    }

    @Test
    void shouldConflictWhenBothSidesEditedTheSameLines() {
        String base = "owner: alice\nstatus: open\n";

        assertThat(NoteMerge.merge(
                        Optional.of(base), "owner: bob\nstatus: open\n", Optional.of("owner: carol\nstatus: open\n")))
                .isEmpty();
        assertThat(NoteMerge.merge(Optional.of(base), "replaced by the note\n", Optional.empty()))
                .as("deleted on the branch, rewritten by the note")
                .isEmpty();
    }

    @Test
    void shouldHandleATextWithoutAFinalNewline() {
        assertThat(NoteMerge.merge(Optional.empty(), "B", Optional.of("A"))).contains("A\n\nB");
    }
}
