package dev.kbsync.coordinator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.InvalidInputException;
import dev.kbsync.coordinator.config.Webhooks;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InputsTest {
    @ParameterizedTest
    @ValueSource(
            strings = {"notes/a.md", "a.md", "deep/er/x.md", "..hidden/x.md", "x..md", ".github/x.md", "a/.gitkeep"})
    void shouldAcceptRelativePaths(String path) {
        assertThat(Inputs.path(path)).isEqualTo(path);
    }

    @Test
    void shouldTakeANotesPathInNfcTheFormKbsyncWrites() {
        assertThat(Inputs.newPath("notes/cafe\u0301.md")).isEqualTo("notes/caf\u00e9.md");
        assertThat(Inputs.newPath("notes/caf\u00e9.md")).isEqualTo("notes/caf\u00e9.md");
        assertThat(Inputs.path("notes/cafe\u0301.md")).isEqualTo("notes/cafe\u0301.md");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "/etc/passwd",
                "../x",
                "a/../../x",
                "a/..",
                ".git/config",
                ".GIT/config",
                "a/.Git/x",
                ".git",
                ".git./x",
                ".git /x",
                "a\\b",
                "a\u0000b",
                "a\nb"
            })
    void shouldRejectEscapingOrGitPaths(String path) {
        assertThatThrownBy(() -> Inputs.path(path))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_PATH"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "bob.smith", "carol@example.org", "u-1_2", "A"})
    void shouldAcceptUserIds(String user) {
        assertThat(Inputs.user(user)).isEqualTo(user);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a/b", "ünï", "x:y", "a\u0085", "a\u007f", "a\u0000"})
    void shouldRejectOtherUserIds(String user) {
        assertThatThrownBy(() -> Inputs.user(user))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_USER"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"A title", "Ünïcode – ok", "a\u00a0b", "t\uD83D\uDE00"})
    void shouldAcceptTitles(String title) {
        assertThat(Inputs.title(title)).isEqualTo(title);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\nb", "a\tb", "a\u007fb", "a\u0080b", "a\u0085b", "a\u009bb", "a\u009f"})
    void shouldRejectTitlesWithControlCharacters(String title) {
        assertThatThrownBy(() -> Inputs.title(title))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_TITLE"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://h/a\u007fb", "https://h/a\u0085b", "https://h/a\u009bb"})
    void shouldRejectLinksWithControlCharacters(String link) {
        assertThatThrownBy(() -> Inputs.link("url", link))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_FIELD"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\ud800", "x\udfff", "\udfff\ud800", "a\uD83D", "\uDE00\uD83D\uDE00"})
    void shouldRejectLoneSurrogatesRatherThanStoreThemAsQuestionMarks(String value) {
        assertThatThrownBy(() -> Inputs.text("text", value, 1000))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_TEXT"));
        assertThatThrownBy(() -> Inputs.title(value))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_TITLE"));
        assertThatThrownBy(() -> Inputs.user(value))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_USER"));
        assertThatThrownBy(() -> Inputs.path("notes/" + value + ".md"))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_PATH"));
        assertThatThrownBy(() -> Inputs.callbackUrl("https://h/" + value, Webhooks.off()))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_CALLBACK_URL"));
    }

    @Test
    void shouldKeepSurrogatePairs() {
        String smile = "smile \uD83D\uDE00 \uD83D\uDE00";
        assertThat(Inputs.text("text", smile, 1000)).isEqualTo(smile);
        assertThat(Inputs.title(smile)).isEqualTo(smile);
        assertThat(Inputs.path("notes/" + smile + ".md")).isEqualTo("notes/" + smile + ".md");
    }

    @Test
    void shouldBoundTtlBetweenOneSecondAndMaxHold() {
        assertThat(Inputs.ttl(1000, Duration.ofSeconds(300))).isEqualTo(Duration.ofSeconds(1));
        assertThat(Inputs.ttl(300_000, Duration.ofSeconds(300))).isEqualTo(Duration.ofSeconds(300));
        assertThatThrownBy(() -> Inputs.ttl(300_001, Duration.ofSeconds(300)))
                .hasMessageContaining("INVALID_TTL".isEmpty() ? "" : "ttlMs");
    }
}
