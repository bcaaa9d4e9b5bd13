package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitHubLinksTest {

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
        assertThat(GitHubLinks.blobUrl(remote, "main", "notes/a.md"))
                .contains("https://github.com/acme/kb/blob/main/notes/a.md");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://gitlab.com/acme/kb.git",
                "git@gitlab.com:acme/kb.git",
                "/srv/git/kb.git",
                "file:///srv/git/kb.git",
                "https://github.com.evil.org/acme/kb.git",
                "https://github.com/acme",
                ""
            })
    void shouldNotLinkOtherHosts(String remote) {
        assertThat(GitHubLinks.blobUrl(remote, "main", "a.md")).isEmpty();
    }

    @org.junit.jupiter.api.Test
    void shouldEncodeEachPathSegmentAndKeepSlashes() {
        assertThat(GitHubLinks.blobUrl("git@github.com:acme/kb.git", "feature/x", "my notes/ä #1?.md"))
                .contains("https://github.com/acme/kb/blob/feature/x/my%20notes/%C3%A4%20%231%3F.md");
    }

    @org.junit.jupiter.api.Test
    void shouldNeverPutCredentialsIntoALink() {
        assertThat(GitHubLinks.blobUrl("https://ada:secret@github.com/acme/kb.git", "main", "a.md"))
                .hasValueSatisfying(url -> assertThat(url).doesNotContain("secret", "ada"));
    }
}
