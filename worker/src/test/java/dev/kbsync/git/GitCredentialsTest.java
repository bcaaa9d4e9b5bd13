package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GitCredentialsTest {
    private static final Map<String, String> ENV = Map.of(
            "GITHUB_USERNAME", "gh-user",
            "GITHUB_TOKEN", "gh-token-1",
            "GITLAB_USERNAME", "gl-user",
            "GITLAB_TOKEN", "gl-token-1",
            "KBSYNC_GIT_USERNAME", "kb-user",
            "KBSYNC_GIT_TOKEN", "kb-token-1");

    @Test
    void shouldUseGitHubCredentialsForGitHubHttpsRemotes() {
        assertThat(anyHost(ENV, "https://github.com/acme/kb.git"))
                .contains(new GitCredentials("gh-user", "gh-token-1"));
    }

    @Test
    void shouldUseGitLabCredentialsForGitLabCom() {
        assertThat(anyHost(ENV, "https://gitlab.com/acme/kb.git"))
                .contains(new GitCredentials("gl-user", "gl-token-1"));
        assertThat(anyHost(Map.of("GITLAB_TOKEN", "gl-token-1"), "https://GitLab.com/a/b"))
                .contains(new GitCredentials("oauth2", "gl-token-1"));
    }

    @Test
    void shouldNotGiveTheGitLabTokenToAnotherHostWhoseNameHoldsGitlab() {
        Map<String, String> gitLabOnly = Map.of("GITLAB_TOKEN", "glpat_canary");
        for (String remote : List.of(
                "https://gitlab.evil.example/x.git",
                "https://gitlab.com.evil.example/x.git",
                "https://evilgitlab.com/x.git",
                "https://gitlab.example.com/acme/kb.git")) {
            assertThat(anyHost(gitLabOnly, remote)).as(remote).isEmpty();
            assertThat(GitCredentials.defaultUsername(remote)).as(remote).isEqualTo("git");
        }
        assertThat(anyHost(ENV, "https://gitlab.evil.example/x.git"))
                .as("the generic default, as for any host")
                .contains(new GitCredentials("kb-user", "kb-token-1"));
        assertThat(GitCredentials.defaultUsername("https://gitlab.com/acme/kb.git"))
                .isEqualTo("oauth2");
    }

    @Test
    void shouldFallBackToGenericCredentialsForOtherHttpsHosts() {
        assertThat(anyHost(ENV, "https://git.example.org/kb.git"))
                .contains(new GitCredentials("kb-user", "kb-token-1"));
        assertThat(anyHost(Map.of("KBSYNC_GIT_TOKEN", "kb-token-1"), "https://github.com/acme/kb.git"))
                .contains(new GitCredentials("git", "kb-token-1"));
    }

    @Test
    void shouldDefaultTheGitHubUsernameWhenOnlyATokenIsSet() {
        assertThat(anyHost(Map.of("GITHUB_TOKEN", "gh-token-1"), "https://github.com/a/b"))
                .contains(new GitCredentials("x-access-token", "gh-token-1"));
    }

    @Test
    void shouldNotApplyCredentialsToSshRemotes() {
        assertThat(anyHost(ENV, "git@github.com:acme/kb.git")).isEmpty();
        assertThat(anyHost(ENV, "ssh://git@github.com/acme/kb.git")).isEmpty();
    }

    @Test
    void shouldNotApplyCredentialsToUrlsThatCarryTheirOwn() {
        assertThat(anyHost(ENV, "https://me:own-token@github.com/acme/kb.git")).isEmpty();
        assertThat(RemoteUrl.parse("https://me:own-token@github.com/acme/kb.git")
                        .embeddedCredentials())
                .contains(new GitCredentials("me", "own-token"));
    }

    @Test
    void shouldDetectHttpsVersusSshRemotes() {
        assertThat(RemoteUrl.parse("https://github.com/acme/kb.git").isHttp()).isTrue();
        assertThat(RemoteUrl.parse("http://git.local/kb.git").isHttp()).isTrue();
        assertThat(RemoteUrl.parse("git@github.com:acme/kb.git").isHttp()).isFalse();
        assertThat(RemoteUrl.parse("ssh://git@github.com/acme/kb.git").isHttp()).isFalse();
        assertThat(RemoteUrl.parse("/srv/git/kb.git").isHttp()).isFalse();
    }

    @Test
    void shouldGiveTheSameAnswerEveryTimeItIsAsked() {
        var first = anyHost(ENV, "https://github.com/acme/kb.git");
        assertThat(anyHost(ENV, "https://github.com/acme/kb.git")).isEqualTo(first);
    }

    @Test
    void shouldNeverPrintTheToken() {
        GitCredentials credentials = new GitCredentials("ada", "very-secret-token");
        assertThat(credentials.toString()).doesNotContain("very-secret-token").contains("***");
        assertThat(Secrets.mask("token is very-secret-token")).isEqualTo("token is ***");
    }

    @Test
    void shouldStripCredentialsFromStoredUrls() {
        assertThat(RemoteUrl.parse("https://me:tok-123@github.com/acme/kb.git").withoutCredentials())
                .isEqualTo("https://github.com/acme/kb.git");
        assertThat(RemoteUrl.parse("git@github.com:acme/kb.git").withoutCredentials())
                .isEqualTo("git@github.com:acme/kb.git");
    }

    @Test
    void shouldOfferTheGenericPairOnlyToTheNamedHosts() {
        Optional<TokenHosts> hosts = Optional.of(TokenHosts.parse(List.of("git.example.org", "*.corp.example")));

        assertThat(GitCredentials.fromEnvironment(ENV, "https://git.example.org/kb.git", hosts))
                .contains(new GitCredentials("kb-user", "kb-token-1"));
        assertThat(GitCredentials.fromEnvironment(ENV, "https://a.corp.example/kb.git", hosts))
                .contains(new GitCredentials("kb-user", "kb-token-1"));
        assertThat(GitCredentials.fromEnvironment(ENV, "https://github.com/acme/kb.git", hosts))
                .as("the host's own pair is not the generic one")
                .contains(new GitCredentials("gh-user", "gh-token-1"));
        for (String remote : List.of(
                "https://evil.example/kb.git", "https://git.example.org:8443/kb.git", "https://github.com/a/b")) {
            Map<String, String> env = remote.contains("github") ? Map.of("KBSYNC_GIT_TOKEN", "kb-token-1") : ENV;
            assertThat(GitCredentials.fromEnvironment(env, remote, hosts))
                    .as(remote)
                    .hasValueSatisfying(c -> assertThat(c)
                            .isInstanceOfSatisfying(
                                    Withheld.class,
                                    w -> assertThat(w.reason())
                                            .contains("no credential for "
                                                    + RemoteUrl.parse(remote).hostAndPort())
                                            .contains("credentials.gitTokenHosts")
                                            .doesNotContain("kb-token-1")));
        }
        assertThat(GitCredentials.fromEnvironment(Map.of(), "https://evil.example/kb.git", hosts))
                .as("no generic token, nothing withheld")
                .isEmpty();
    }

    /** The host defaults of a worker without {@code credentials.gitTokenHosts}. */
    private static Optional<GitCredential> anyHost(Map<String, String> env, String remoteUrl) {
        return GitCredentials.fromEnvironment(env, remoteUrl, Optional.empty());
    }
}
