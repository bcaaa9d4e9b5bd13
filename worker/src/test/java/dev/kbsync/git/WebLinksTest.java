package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebLinksTest {
    private static final String SHA = "9d1e0c4a";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://github.com/acme/kb",
                "https://github.com/acme/kb.git",
                "https://github.com/acme/kb/",
                "https://ada:tok@github.com/acme/kb.git",
                "http://github.com/acme/kb.git",
                "git@github.com:acme/kb.git",
                "git@github.com:acme/kb",
                "ssh://git@github.com/acme/kb.git",
                "ssh://git@github.com:22/acme/kb",
                "https://GitHub.com/acme/kb.git"
            })
    void shouldLinkEveryGitHubRemoteForm(String remote) {
        assertThat(WebLinks.blobUrl(remote, "main", "notes/a.md"))
                .contains("https://github.com/acme/kb/blob/main/notes/a.md");
        assertThat(WebLinks.commitUrl(remote, SHA)).contains("https://github.com/acme/kb/commit/" + SHA);
    }

    @ParameterizedTest
    @CsvSource({
        "https://gitlab.com/acme/kb.git, https://gitlab.com/acme/kb",
        "git@gitlab.com:acme/kb.git, https://gitlab.com/acme/kb",
        "https://gitlab.com/acme/team/sub/kb, https://gitlab.com/acme/team/sub/kb",
        "ssh://git@gitlab.example.org:2222/ops/kb.git, https://gitlab.example.org/ops/kb",
        "https://bot:glpat-secret@gitlab.com/acme/kb.git, https://gitlab.com/acme/kb"
    })
    void shouldLinkGitLabRemotesWithNestedGroups(String remote, String project) {
        assertThat(WebLinks.blobUrl(remote, "main", "notes/a.md")).contains(project + "/-/blob/main/notes/a.md");
        assertThat(WebLinks.commitUrl(remote, SHA)).contains(project + "/-/commit/" + SHA);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/srv/git/kb.git",
                "file:///srv/git/kb.git",
                "https://github.com.evil.org/acme/kb.git",
                "https://notgitlab.com/acme/kb.git",
                "https://bitbucket.org/acme/kb.git",
                "https://github.com/acme",
                "https://gitlab.com/acme",
                ""
            })
    void shouldNotLinkOtherHosts(String remote) {
        assertThat(WebLinks.blobUrl(remote, "main", "a.md")).isEmpty();
        assertThat(WebLinks.commitUrl(remote, SHA)).isEmpty();
    }

    @Test
    void shouldLinkOnlyRealCommitIds() {
        assertThat(WebLinks.commitUrl("git@github.com:acme/kb.git", null)).isEmpty();
        assertThat(WebLinks.commitUrl("git@github.com:acme/kb.git", "../../x")).isEmpty();
    }

    @Test
    void shouldEncodeEachPathSegmentAndKeepSlashes() {
        assertThat(WebLinks.blobUrl("git@github.com:acme/kb.git", "feature/x", "my notes/ä #1?.md"))
                .contains("https://github.com/acme/kb/blob/feature/x/my%20notes/%C3%A4%20%231%3F.md");
    }

    @Test
    void shouldNeverPutCredentialsIntoALink() {
        assertThat(WebLinks.blobUrl("https://ada:secret@github.com/acme/kb.git", "main", "a.md"))
                .hasValueSatisfying(url -> assertThat(url).doesNotContain("secret", "ada"));
        assertThat(WebLinks.commitUrl("https://bot:glpat-secret@gitlab.com/acme/kb.git", SHA))
                .hasValueSatisfying(url -> assertThat(url).doesNotContain("secret", "bot"));
    }
}
