package dev.kbsync.coordinator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KbValidationTest {
    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://github.com/acme/notes.git",
                "ssh://git@github.com/acme/notes.git",
                "git@github.com:acme/notes.git",
                "file:///srv/git/notes.git",
                "/srv/git/notes.git",
                "ssh://git@git_server:2222/notes.git",
                "https://[::1]:8443/notes.git"
            })
    void shouldAcceptSupportedRemotes(String remote) {
        assertThat(KbValidation.remote(remote)).isEqualTo(remote);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://user:s3cr3t@github.com/a/b.git",
                "https://s3cr3t@github.com/a/b.git",
                "http://u:s3cr3t@h/x",
                "ssh://git:s3cr3t@h/x",
                "https://h/x.git?access_token=s3cr3t",
                "https://h/x.git?PASSWORD=s3cr3t",
                "https://h/x.git?Token=s3cr3t",
                "https://h/x.git?ACCESS_TOKEN=s3cr3t",
                "https://h/x.git?%74oken=s3cr3t",
                "https://h/x.git?%2574oken=s3cr3t",
                "https://h/x.git?access%5Ftoken=s3cr3t",
                "https://h/x.git;token=s3cr3t",
                "https://h/a;v=1;token=s3cr3t/x.git",
                "https://h;token=s3cr3t/x.git",
                "https://h/x.git?ref=main;token=s3cr3t",
                "https://h/x.git?ref=main&private_token=s3cr3t",
                "https://h/x.git?private-token=s3cr3t",
                "https://h/x.git?oauth_token=s3cr3t",
                "https://h/x.git?x-amz-security-token=s3cr3t",
                "https://h/x.git?passwd=s3cr3t",
                "https://h/x.git?pwd=s3cr3t",
                "https://h/x.git?pass=s3cr3t",
                "https://h/x.git?secret=s3cr3t",
                "https://h/x.git?client_secret=s3cr3t",
                "https://h/x.git?api_key=s3cr3t",
                "https://h/x.git?apikey=s3cr3t",
                "https://h/x.git?key=s3cr3t",
                "https://h/x.git?sig=s3cr3t",
                "https://h/x.git?auth=s3cr3t",
                "ssh://git@h/x.git?token=s3cr3t",
                "ssh://git%3As3cr3t@h/x.git",
                "git://h/x.git?Password=s3cr3t",
                "file:///srv/x.git?token=s3cr3t"
            })
    void shouldRejectCredentialsWithoutRepeatingThem(String remote) {
        assertThatThrownBy(() -> KbValidation.remote(remote))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("CREDENTIALS_IN_URL"))
                .message()
                .doesNotContain("s3cr3t");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://h/x.git?ref=main",
                "https://h/x.git?tab=readme&v=2",
                "https://h/a;v=1/x.git",
                "https://h/tokens/x.git",
                "https://h/x.git?token",
                "ssh://deploy@h/x.git"
            })
    void shouldAcceptParametersThatAreNoCredentials(String remote) {
        assertThat(KbValidation.remote(remote)).isEqualTo(remote);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "notes.git",
                "ftp://h/x",
                "https:///x",
                "git@host",
                "/srv/x\n.git",
                "https://[::1",
                "https://h:99999/x",
                "https://h x/y",
                "https://github.com/acme/docs.git#main",
                "ssh://git@github.com/acme/docs.git#main",
                "ssh://-oProxyCommand=x/y",
                "ssh://git@-oProxyCommand=x/y",
                "ssh://-oProxyCommand=x@h/y",
                "https://-h/x.git",
                "git@-h:x.git",
                "-git@h:x.git"
            })
    void shouldRejectOtherRemotes(String remote) {
        assertThatThrownBy(() -> KbValidation.remote(remote))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_REMOTE"));
    }

    /** git (JGit, which workers and reads use) takes a file URL only as file:///absolute/path: no host, no relative path. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "file://relative",
                "file://relative/x.git",
                "file://",
                "file://?x=1",
                "file://localhost/srv/git/notes.git",
                "file://srv/git/notes.git"
            })
    void shouldRefuseAFileUrlWithoutAnAbsolutePath(String remote) {
        assertThatThrownBy(() -> KbValidation.remote(remote))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_REMOTE"))
                .hasMessageContaining("file:///");
    }

    @Test
    void shouldNameEveryAcceptedKindOfRemoteWhenRefusingOne() {
        for (String accepted : List.of("https://h/r.git", "http://h/r.git", "ssh://h/r.git", "git://h/r.git")) {
            assertThat(KbValidation.remote(accepted)).isEqualTo(accepted);
        }
        assertThatThrownBy(() -> KbValidation.remote("ftp://h/r.git"))
                .hasMessageContainingAll(
                        "https://", "http://", "ssh://", "git://", "git@host:path", "file://", "absolute path");
    }

    @ParameterizedTest
    @ValueSource(strings = {"main", "release/v1.2", "feature/x-y_z", "v1"})
    void shouldAcceptGitBranchNames(String branch) {
        assertThat(KbValidation.branch(branch)).isEqualTo(branch);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "@",
                "a..b",
                "a b",
                "a~1",
                "a^",
                "a:b",
                "a?",
                "a*",
                "a[",
                "a\\b",
                "/a",
                "a/",
                "a//b",
                "a.",
                "a.lock",
                ".a",
                "a/.b",
                "-a",
                "a@{1}",
                "HEAD",
                "refs/heads/main",
                "refs/x"
            })
    void shouldRejectInvalidRefNames(String branch) {
        assertThatThrownBy(() -> KbValidation.branch(branch))
                .isInstanceOfSatisfying(
                        InvalidInputException.class, e -> assertThat(e.code()).isEqualTo("INVALID_BRANCH"));
    }
}
