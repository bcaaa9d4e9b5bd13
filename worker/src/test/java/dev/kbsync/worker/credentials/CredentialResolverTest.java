package dev.kbsync.worker.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.SshIdentity;
import dev.kbsync.git.TokenHosts;
import dev.kbsync.git.Withheld;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialResolverTest {
    private static final String REMOTE = "https://git.example.org/acme/a.git";

    @TempDir
    Path tmp;

    private Path secrets;
    private Path envFile;
    private CredentialResolver resolver;

    @BeforeEach
    void setUp() throws IOException {
        secrets = Files.createDirectories(tmp.resolve("secrets")).toRealPath();
        envFile = tmp.resolve("worker.env");
        Files.writeString(envFile, "# rotated by the operator\nexport TEAM_A_TOKEN=\"from-file-1\"\n");
        resolver = new CredentialResolver(
                new CredentialSettings(Optional.of(envFile), List.of(secrets), "TEAM_", Optional.empty()),
                Map.of("TEAM_A_TOKEN", "from-process", "TEAM_B_TOKEN", "b-process", "GITHUB_TOKEN", "gh-default"),
                Clock.systemUTC());
    }

    /**
     * A path outside credentials.fileDirs gets one message whether or not anything is there: the job error must not
     * tell a registering admin which files exist on the worker. A link inside that leads outside is still refused.
     */
    @Test
    void shouldNotRevealWhetherAFileOutsideTheAllowedDirectoriesExists() throws IOException {
        Path outside = Files.writeString(tmp.resolve("worker-key.pem"), "private");
        Path link = Files.createSymbolicLink(secrets.resolve("sneaky"), outside);

        String existing = failure(outside.toString());
        String missing = failure(tmp.resolve("no-such-file.pem").toString());

        assertThat(existing).contains("is outside the directories");
        assertThat(missing.replace("no-such-file.pem", "worker-key.pem")).isEqualTo(existing);
        assertThat(failure(link.toString())).contains("is outside the directories");
        assertThat(failure(secrets.resolve("missing").toString())).contains("does not exist or cannot be read");
    }

    private String failure(String file) {
        GitAuth auth = resolver.forKb(kb(new CredentialRef.File(file, null)));
        try {
            auth.current();
        } catch (CredentialsUnavailableException e) {
            return e.getMessage();
        }
        throw new AssertionError(file + " was read");
    }

    @Test
    void shouldReadTheEnvironmentFileAgainAtEveryUseBeforeTheProcessEnvironment() throws IOException {
        GitAuth auth = resolver.forKb(kb(new CredentialRef.Env("TEAM_A_TOKEN", null)));
        assertThat(auth.current()).contains(new GitCredentials("git", "from-file-1"));

        Files.writeString(envFile, "TEAM_A_TOKEN=from-file-2\n");
        assertThat(auth.current()).contains(new GitCredentials("git", "from-file-2"));

        Files.writeString(envFile, "");
        assertThat(auth.current()).contains(new GitCredentials("git", "from-process"));
        assertThat(resolver.forKb(kb(new CredentialRef.Env("TEAM_B_TOKEN", "bot")))
                        .current())
                .contains(new GitCredentials("bot", "b-process"));
    }

    @Test
    void shouldReadASecretFileAgainAtEveryUse() throws IOException {
        Path file = Files.writeString(secrets.resolve("team-a"), "token-one\n");
        GitAuth auth = resolver.forKb(kb(new CredentialRef.File(file.toString(), "x-access-token")));
        assertThat(auth.current()).contains(new GitCredentials("x-access-token", "token-one"));
        Files.writeString(file, "token-two");
        assertThat(auth.current()).contains(new GitCredentials("x-access-token", "token-two"));
    }

    @Test
    void shouldFailWithTheKbAndTheReferenceNamedButNoSecret() throws IOException {
        Path outside = Files.writeString(tmp.resolve("elsewhere"), "secret-outside-1");
        Path link = Files.createSymbolicLink(secrets.resolve("link"), outside);
        Path empty = Files.writeString(secrets.resolve("empty"), "\n");
        assertUnavailable(new CredentialRef.Env("TEAM_C_TOKEN", null), "environment variable TEAM_C_TOKEN is not set");
        assertUnavailable(new CredentialRef.Env("OTHER_TOKEN", null), "credentials.envPrefix: 'TEAM_'");
        assertUnavailable(new CredentialRef.File(outside.toString(), null), "is outside the directories");
        assertUnavailable(new CredentialRef.File(link.toString(), null), "is outside the directories");
        assertUnavailable(new CredentialRef.File(secrets.resolve("nope").toString(), null), "does not exist");
        assertUnavailable(new CredentialRef.File(empty.toString(), null), "is empty");
        Files.delete(envFile);
        assertUnavailable(new CredentialRef.Env("TEAM_A_TOKEN", null), "the environment file " + envFile);
    }

    @Test
    void shouldGiveAnSshKeyAsAnIdentityWithItsKnownHosts() throws IOException {
        Path key = Files.writeString(secrets.resolve("id"), "key");
        Path knownHosts = Files.writeString(secrets.resolve("known_hosts"), "");
        KbConfig kb = new KbConfig(KbId.of("ssh-kb"), "git@git.example.org:acme/a.git", "main")
                .withCredentials(new CredentialRef.SshKey(key.toString(), knownHosts.toString(), true));
        assertThat(resolver.forKb(kb).current()).contains(new SshIdentity(key, Optional.of(knownHosts), true));
    }

    @Test
    void shouldUseTheHostDefaultsOfTheEnvironmentForAKbWithoutAReference() throws IOException {
        KbConfig github = new KbConfig(KbId.of("gh"), "https://github.com/acme/a.git", "main");
        assertThat(resolver.forKb(github).current()).contains(new GitCredentials("x-access-token", "gh-default"));
        Files.writeString(envFile, "GITHUB_TOKEN=gh-rotated\n");
        assertThat(resolver.forKb(github).current()).contains(new GitCredentials("x-access-token", "gh-rotated"));
    }

    @Test
    void shouldWarnWhileTheGenericTokenGoesToAnyHost() throws IOException {
        assertThat(resolver.genericTokenWarning()).isEmpty();

        Files.writeString(envFile, "KBSYNC_GIT_TOKEN=generic-secret-1\n");
        assertThat(resolver.genericTokenWarning())
                .hasValueSatisfying(w -> assertThat(w)
                        .contains("KBSYNC_GIT_TOKEN is offered to any https:// host")
                        .contains("credentials.gitTokenHosts")
                        .doesNotContain("generic-secret-1"));
        CredentialResolver bounded = new CredentialResolver(
                new CredentialSettings(
                        Optional.of(envFile),
                        List.of(secrets),
                        "TEAM_",
                        Optional.of(TokenHosts.parse(List.of("git.example.org")))),
                Map.of(),
                Clock.systemUTC());
        assertThat(bounded.genericTokenWarning()).isEmpty();
        assertThat(bounded.forKb(new KbConfig(KbId.of("evil"), "https://evil.example/kb.git", "main"))
                        .current())
                .hasValueSatisfying(c -> assertThat(c).isInstanceOf(Withheld.class));
        assertThat(bounded.forKb(new KbConfig(KbId.of("ok"), REMOTE, "main")).current())
                .contains(new GitCredentials("git", "generic-secret-1"));
    }

    private void assertUnavailable(CredentialRef reference, String reason) {
        assertThatThrownBy(() -> resolver.forKb(kb(reference)).current())
                .isInstanceOf(CredentialsUnavailableException.class)
                .hasMessageStartingWith("credentials of KB team-a are unavailable: ")
                .hasMessageContaining(reason)
                .message()
                .doesNotContain("secret-outside-1", "from-file-1", "from-process");
    }

    private static KbConfig kb(CredentialRef reference) {
        return new KbConfig(KbId.of("team-a"), REMOTE, "main").withCredentials(reference);
    }
}
