package dev.kbsync.coordinator.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jgit.transport.CredentialItem;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.URIish;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetchAuthTest {
    private static final String REMOTE = "https://github.com/acme/notes.git";

    @TempDir
    Path tmp;

    @Test
    void shouldUseATokenFileOnlyInsideTheAllowedDirectories() throws Exception {
        Path secrets = Files.createDirectories(tmp.resolve("secrets"));
        Path token = Files.writeString(secrets.resolve("team-token"), "tok-123\n");
        Path elsewhere = Files.writeString(tmp.resolve("coordinator-key.pem"), "private");
        Path link = Files.createSymbolicLink(secrets.resolve("sneaky"), elsewhere);
        FetchAuth auth = new FetchAuth(List.of(secrets));

        KbConfig allowed = kb(new CredentialRef.File(token.toString(), null));
        assertThat(auth.without(allowed)).isNull();
        CredentialItem.Username user = new CredentialItem.Username();
        CredentialItem.Password password = new CredentialItem.Password();
        auth.credentials(allowed).orElseThrow().get(new URIish(REMOTE), user, password);
        assertThat(user.getValue()).isEqualTo("x-access-token");
        assertThat(new String(password.getValue())).isEqualTo("tok-123");

        assertThat(auth.without(kb(new CredentialRef.File(elsewhere.toString(), null))))
                .contains("not in reads.credentialDirs");
        assertThat(auth.without(kb(new CredentialRef.File(link.toString(), null))))
                .as("a symbolic link out of the directory")
                .contains("not in reads.credentialDirs");
        assertThat(auth.credentials(kb(new CredentialRef.File(link.toString(), null))))
                .isEmpty();
    }

    /**
     * JGit follows a remote's redirect to any https:// host or port and asks the provider again when that one answers
     * 401: the token answers only for the registered remote's scheme, host and port.
     */
    @Test
    void shouldGiveTheTokenOnlyToTheRemotesOwnOrigin() throws Exception {
        Path secrets = Files.createDirectories(tmp.resolve("secrets"));
        Path token = Files.writeString(secrets.resolve("team-token"), "tok-123\n");
        CredentialsProvider provider = new FetchAuth(List.of(secrets))
                .credentials(kb(new CredentialRef.File(token.toString(), null)))
                .orElseThrow();

        assertThat(answers(provider, "https://GitHub.com:443/acme/notes.git/info/refs"))
                .isEqualTo("tok-123");
        for (String other : List.of(
                "https://evil.example/acme/notes.git",
                "https://github.com:8443/acme/notes.git",
                "http://github.com/acme/notes.git",
                "https://github.com.evil.example/acme/notes.git")) {
            assertThat(answers(provider, other)).as(other).isNull();
        }
    }

    private static String answers(CredentialsProvider provider, String uri) throws Exception {
        CredentialItem.Username user = new CredentialItem.Username();
        CredentialItem.Password password = new CredentialItem.Password();
        boolean answered = provider.get(new URIish(uri), user, password);
        return answered && password.getValue() != null ? new String(password.getValue()) : null;
    }

    /** One answer for a path outside the allowed directories, whether or not a file is there. */
    @Test
    void shouldNotRevealWhetherAFileOutsideTheAllowedDirectoriesExists() throws Exception {
        Path secrets = Files.createDirectories(tmp.resolve("secrets"));
        Path outside = Files.writeString(tmp.resolve("coordinator-key.pem"), "private");
        FetchAuth auth = new FetchAuth(List.of(secrets));

        String existing = auth.without(kb(new CredentialRef.File(outside.toString(), null)));
        String missing = auth.without(
                kb(new CredentialRef.File(tmp.resolve("nothing.pem").toString(), null)));

        assertThat(existing).contains("not in reads.credentialDirs");
        assertThat(missing.replace("nothing.pem", "coordinator-key.pem")).isEqualTo(existing);
        assertThat(auth.without(
                        kb(new CredentialRef.File(secrets.resolve("missing").toString(), null))))
                .contains("cannot be read");
    }

    @Test
    void shouldNeverUseEnvironmentReferencesNorFilesWithoutConfiguredDirectories() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "tok");
        FetchAuth none = new FetchAuth(List.of());

        assertThat(none.without(kb(new CredentialRef.File(token.toString(), null))))
                .isEqualTo("reads.credentialDirs is not set");
        assertThat(new FetchAuth(List.of(tmp)).without(kb(new CredentialRef.Env("TEAM_TOKEN", null))))
                .contains("only 'file'");
        assertThat(none.credentials(kb(new CredentialRef.Env("TEAM_TOKEN", null))))
                .isEmpty();
        assertThat(none.without(new KbConfig(KbId.of("notes"), REMOTE, "main"))).isNull();
    }

    @Test
    void shouldNotSendATokenFileToAPlainHttpRemoteRegisteredBeforeTheyWereRefused() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "tok-123\n");
        KbConfig plain = new KbConfig(KbId.of("notes"), "http://git.example.org/notes.git", "main")
                .withCredentials(new CredentialRef.File(token.toString(), null));
        FetchAuth auth = new FetchAuth(List.of(tmp));

        assertThat(auth.credentials(plain)).isEmpty();
        assertThat(auth.without(plain)).contains("plain http://");
    }

    @Test
    void shouldGiveTheGitLabUserNameOnlyToGitLabCom() {
        assertThat(FetchAuth.defaultUsername("https://gitlab.com/acme/notes.git"))
                .isEqualTo("oauth2");
        assertThat(FetchAuth.defaultUsername("https://gitlab.evil.example/x.git"))
                .isEqualTo("git");
        assertThat(FetchAuth.defaultUsername("https://github.com/acme/notes.git"))
                .isEqualTo("x-access-token");
    }

    private static KbConfig kb(CredentialRef ref) {
        return new KbConfig(KbId.of("notes"), REMOTE, "main").withCredentials(ref);
    }
}
