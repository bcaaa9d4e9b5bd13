package dev.kbsync.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UnicodeFormTest {
    @Test
    void shouldComposeAnNfdPath() {
        assertThat(UnicodeForm.nfc("notes/cafe\u0301.md")).isEqualTo("notes/caf\u00e9.md");
        assertThat(UnicodeForm.nfc("A\u030a/x.md")).isEqualTo("\u00c5/x.md");
    }

    @Test
    void shouldReturnAPathAlreadyInNfcItself() {
        String ascii = "notes/2026/12/plan.md";
        String latin = "Über/straße.md";
        String composed = "notes/caf\u00e9.md";

        assertThat(UnicodeForm.nfc(ascii)).isSameAs(ascii);
        assertThat(UnicodeForm.nfc(latin)).isSameAs(latin);
        assertThat(UnicodeForm.nfc(composed)).isSameAs(composed);
    }

    @Test
    void shouldComposeAMarkAtTheStartOfANameWithNothingBeforeItsSlash() {
        assertThat(UnicodeForm.nfc("e/\u0301x.md")).isEqualTo("e/\u0301x.md");
    }
}
