package dev.kbsync.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TokenHostsTest {
    private static final TokenHosts HOSTS =
            TokenHosts.parse(List.of("git.example.com", "Git.Example.org:8443", "*.corp.example"));

    @Test
    void shouldMatchAnExactHostOnTheHttpsPortUnlessAPortIsNamed() {
        assertThat(allows("https://git.example.com/kb.git")).isTrue();
        assertThat(allows("https://GIT.example.com:443/kb.git")).isTrue();
        assertThat(allows("https://git.example.com:8443/kb.git")).isFalse();
        assertThat(allows("https://git.example.org:8443/kb.git")).isTrue();
        assertThat(allows("https://git.example.org/kb.git")).isFalse();
    }

    @Test
    void shouldMatchOnlyTheSubdomainsOfAWildcard() {
        assertThat(allows("https://git.corp.example/kb.git")).isTrue();
        assertThat(allows("https://a.b.corp.example/kb.git")).isTrue();
        assertThat(allows("https://corp.example/kb.git")).isFalse();
        assertThat(allows("https://evilcorp.example/kb.git")).isFalse();
    }

    @Test
    void shouldNotMatchLookAlikesOrAnythingButHttps() {
        for (String remote : List.of(
                "https://git.example.com.evil.example/kb.git",
                "https://evil-git.example.com/kb.git",
                "https://sub.git.example.com/kb.git",
                "http://git.example.com/kb.git",
                "ssh://git@git.example.com/kb.git",
                "git@git.example.com:kb.git")) {
            assertThat(allows(remote)).as(remote).isFalse();
        }
    }

    @Test
    void shouldRefuseWhatIsNotAHostAPortOrASubdomainWildcard() {
        for (String entry : List.of(
                "https://git.example.com",
                "git.example.com/kb",
                "*",
                "*.com",
                "git.*.example.com",
                "git.example.com:0",
                "git.example.com:65536",
                "git.example.com:",
                "-git.example.com",
                "git_example.com",
                "[::1]:8443")) {
            assertThatThrownBy(() -> TokenHosts.parse(List.of("git.example.com", entry)))
                    .as(entry)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a host name, host:port or *.domain");
        }
        assertThatThrownBy(() -> TokenHosts.parse(List.of())).hasMessage("must name at least one host");
        assertThatThrownBy(() -> TokenHosts.parse(List.of("https://ada:s3cret@git.example.com")))
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void shouldListItsHostsAsTheyWereNamed() {
        assertThat(HOSTS).hasToString("git.example.com, git.example.org:8443, *.corp.example");
    }

    private static boolean allows(String remote) {
        return HOSTS.allows(RemoteUrl.parse(remote));
    }
}
