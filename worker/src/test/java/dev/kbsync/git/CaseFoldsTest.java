package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CaseFoldsTest {
    private final CaseFolds folds = new CaseFolds();

    @Test
    void shouldFindAFileThatDiffersOnlyInCase() {
        folds.add("case/readme.md");

        assertThat(folds.twin("case/README.MD")).contains("case/readme.md");
        assertThat(folds.twin("case/readme.md")).isEmpty();
        assertThat(folds.twin("case/other.md")).isEmpty();
    }

    @Test
    void shouldFindTheFirstFolderThatDiffersOnlyInCase() {
        folds.add("notes/2026/plan.md");

        assertThat(folds.twin("Notes/x.md")).contains("notes");
        assertThat(folds.twin("notes/2026/Plan.md")).contains("notes/2026/plan.md");
        assertThat(folds.twin("NOTES")).contains("notes");
        assertThat(folds.twin("notes/2026/new.md")).isEmpty();
    }

    @Test
    void shouldForgetAFolderWithItsLastFile() {
        folds.add("notes/a.md");
        folds.add("notes/b.md");

        folds.remove("notes/a.md");
        assertThat(folds.twin("Notes/c.md")).contains("notes");
        folds.remove("notes/b.md");
        assertThat(folds.twin("Notes/c.md")).isEmpty();
    }

    @Test
    void shouldNotRefuseAnyOfTwoSpellingsTheKbAlreadyHas() {
        folds.add("Plan.md");
        folds.add("plan.md");

        assertThat(folds.twin("plan.md")).isEmpty();
        assertThat(folds.twin("Plan.md")).isEmpty();
        assertThat(folds.twin("PLAN.md")).isPresent();
        folds.remove("Plan.md");
        assertThat(folds.twin("Plan.md")).contains("plan.md");
    }

    @Test
    void shouldFoldLettersBeyondAscii() {
        folds.add("Über/straße.md");

        assertThat(folds.twin("über/x.md")).contains("Über");
        assertThat(folds.twin("Über/STRAßE.md")).contains("Über/straße.md");
    }

    @Test
    void shouldTakeTheNfcAndNfdSpellingsOfAPathForOneFile() {
        folds.add("notes/caf\u00e9.md");
        folds.add("Cafe\u0301/plan.md");

        assertThat(folds.twin("notes/cafe\u0301.md")).contains("notes/caf\u00e9.md");
        assertThat(folds.twin("notes/CAFE\u0301.md")).contains("notes/caf\u00e9.md");
        assertThat(folds.twin("notes/caf\u00e9.md")).isEmpty();
        assertThat(folds.twin("caf\u00e9/other.md")).contains("Cafe\u0301");
        assertThat(folds.twin("Cafe\u0301/plan.md")).isEmpty();
    }

    @Test
    void shouldForgetAnNfdFolderWithItsLastFile() {
        folds.add("Cafe\u0301/plan.md");

        folds.remove("Cafe\u0301/plan.md");

        assertThat(folds.twin("Caf\u00e9/plan.md")).isEmpty();
    }
}
