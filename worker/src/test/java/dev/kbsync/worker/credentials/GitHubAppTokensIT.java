package dev.kbsync.worker.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kbsync.api.CredentialRef;
import dev.kbsync.api.KbConfig;
import dev.kbsync.api.KbId;
import dev.kbsync.git.CredentialsUnavailableException;
import dev.kbsync.git.GitAuth;
import dev.kbsync.git.GitCredentials;
import dev.kbsync.git.RemoteUnavailableException;
import dev.kbsync.git.Secrets;
import dev.kbsync.git.TokenHosts;
import dev.kbsync.worker.fixture.GitHubStandIn;
import dev.kbsync.worker.fixture.TestClock;
import dev.kbsync.worker.fixture.TestKeys;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Installation tokens against a local stand-in of GitHub's token endpoint that checks the JWT as GitHub does. */
class GitHubAppTokensIT {
    private static final long INSTALLATION = 4242;

    @TempDir
    Path secrets;

    private final TestClock clock = new TestClock(Instant.now());
    private final KeyPair app = TestKeys.rsa();
    private GitHubStandIn github;
    private GitHubAppTokens tokens;

    @BeforeEach
    void start() throws Exception {
        github = new GitHubStandIn("1234", INSTALLATION, app.getPublic(), clock);
        tokens = new GitHubAppTokens(clock, new SecretFiles(List.of(secrets.toRealPath())), Optional.of(standIn()));
    }

    @AfterEach
    void stop() {
        github.close();
    }

    @Test
    void shouldExchangeASignedJwtForATokenAndKeepItUntilShortlyBeforeItExpires() {
        CredentialRef.GitHubApp ref = ref(TestKeys.writePkcs1(app, secrets.resolve("app.pem")));

        GitCredentials first = tokens.token(ref);
        clock.advance(Duration.ofMinutes(54));
        GitCredentials cached = tokens.token(ref);
        clock.advance(Duration.ofMinutes(2)); // 4 minutes before expiry: inside the refresh margin
        GitCredentials refreshed = tokens.token(ref);

        assertThat(github.refusals()).isEmpty();
        assertThat(github.issued()).hasSize(2);
        assertThat(first.username()).isEqualTo("x-access-token");
        assertThat(first.token()).isEqualTo(github.issued().get(0));
        assertThat(cached).isEqualTo(first);
        assertThat(refreshed.token()).isEqualTo(github.issued().get(1));
        assertThat(Secrets.mask("old " + first.token() + " new " + refreshed.token()))
                .isEqualTo("old " + first.token() + " new ***");
    }

    @Test
    void shouldReadAPkcs8KeyAndAReplacedKeyFileAtTheNextExchange() {
        Path key = TestKeys.writePkcs8(app, secrets.resolve("app.pem"));
        github.tokenLifetime(Duration.ofMinutes(4)); // always inside the margin: every call exchanges
        CredentialRef.GitHubApp ref = ref(key);
        tokens.token(ref);

        TestKeys.writePkcs8(TestKeys.rsa(), key);
        assertThatThrownBy(() -> tokens.token(ref))
                .isInstanceOf(CredentialsUnavailableException.class)
                .hasMessageContaining("answered HTTP 401: \"the JWT signature does not verify\"");
        TestKeys.writePkcs1(app, key);
        assertThat(tokens.token(ref).token()).isEqualTo(github.lastToken());
        assertThat(github.issued()).hasSize(2);
    }

    @Test
    void shouldNameTheReferenceWhenTheKeyOrTheEndpointFails() throws Exception {
        assertThatThrownBy(() -> tokens.token(ref(secrets.resolve("missing.pem"))))
                .isInstanceOf(CredentialsUnavailableException.class)
                .hasMessageContaining("GitHub App 1234 installation 4242: the file ")
                .hasMessageContaining("missing.pem does not exist or cannot be read");
        Path garbage = java.nio.file.Files.writeString(secrets.resolve("garbage.pem"), "not a key");
        assertThatThrownBy(() -> tokens.token(ref(garbage)))
                .hasMessageContaining("is not usable: not a PEM RSA private key");
        Path key = TestKeys.writePkcs1(app, secrets.resolve("app.pem"));
        CredentialRef.GitHubApp wrongInstallation =
                new CredentialRef.GitHubApp("1234", 1, key.toString(), github.apiBase());
        assertThatThrownBy(() -> tokens.token(wrongInstallation))
                .hasMessageContaining("/app/installations/1/access_tokens answered HTTP 404");
        github.close();
        assertThatThrownBy(() -> tokens.token(ref(key))).hasMessageContaining("could not reach");
    }

    /**
     * An API that cannot be reached, or answers that it cannot serve for now (5xx, 429, a spent rate limit), is an
     * outage the job waits out and runs again after, like an unreachable remote, not a credential that is wrong: a
     * short outage of api.github.com failed every job that needed a token meanwhile, for good.
     */
    @Test
    void shouldTreatAnUnreachableOrBusyApiAsAnOutageNotAWrongCredential() throws Exception {
        CredentialRef.GitHubApp ref = ref(TestKeys.writePkcs1(app, secrets.resolve("app.pem")));
        github.answerNext(503, 429, 403);

        for (String status : List.of("503", "429", "403")) {
            assertThatThrownBy(() -> tokens.token(ref))
                    .isInstanceOf(RemoteUnavailableException.class)
                    .hasMessageContaining("answered HTTP " + status);
        }
        assertThat(tokens.token(ref).token()).isEqualTo(github.lastToken());

        clock.advance(Duration.ofMinutes(58)); // inside the refresh margin: the next call exchanges again
        github.close();
        assertThatThrownBy(() -> tokens.token(ref))
                .isInstanceOf(RemoteUnavailableException.class)
                .hasMessageContaining("could not reach");
    }

    /**
     * The app JWT mints tokens for every installation of the app, so it goes only to the API hosts the worker's
     * operator allows ({@code credentials.githubApiHosts}, default api.github.com), never to an {@code apiBase} a KB
     * registration chose: by default the stand-in on 127.0.0.1 gets no request at all.
     */
    @Test
    void shouldSendTheAppJwtOnlyToAnApiHostTheWorkerAllows() throws Exception {
        Path key = TestKeys.writePkcs1(app, secrets.resolve("app.pem"));
        KbConfig kb =
                new KbConfig(KbId.of("team-a"), "https://github.com/acme/notes.git", "main").withCredentials(ref(key));
        String hostAndPort = github.apiBase().replaceFirst("http://", "");
        GitAuth byDefault = new CredentialResolver(
                        new CredentialSettings(Optional.empty(), List.of(secrets.toRealPath()), "", Optional.empty()),
                        Map.of(),
                        clock)
                .forKb(kb);

        assertThatThrownBy(byDefault::current)
                .isInstanceOf(CredentialsUnavailableException.class)
                .hasMessageContaining("KB team-a")
                .hasMessageContaining(hostAndPort)
                .hasMessageContaining("credentials.githubApiHosts");
        assertThat(github.issued()).isEmpty();
        assertThat(github.refusals()).as("no request reached the stand-in").isEmpty();

        for (String other : List.of("localhost:" + hostAndPort.replaceFirst(".*:", ""), "127.0.0.1")) {
            GitHubAppTokens elsewhere = new GitHubAppTokens(
                    clock,
                    new SecretFiles(List.of(secrets.toRealPath())),
                    Optional.of(TokenHosts.parse(List.of(other))));
            assertThatThrownBy(() -> elsewhere.token(ref(key)))
                    .as(other)
                    .isInstanceOf(CredentialsUnavailableException.class)
                    .hasMessageContaining("credentials.githubApiHosts");
        }
        assertThat(github.refusals()).isEmpty();
        assertThat(github.issued()).isEmpty();
        GitAuth allowed = new CredentialResolver(
                        new CredentialSettings(
                                Optional.empty(),
                                List.of(secrets.toRealPath()),
                                "",
                                Optional.empty(),
                                Optional.of(standIn())),
                        Map.of(),
                        clock)
                .forKb(kb);
        GitCredentials got = (GitCredentials) allowed.current().orElseThrow();
        assertThat(github.issued()).hasSize(1);
        assertThat(got.token()).isEqualTo(github.lastToken());
    }

    /** The stand-in's host and port, as {@code credentials.githubApiHosts} would list it. */
    private TokenHosts standIn() {
        return TokenHosts.parse(List.of(github.apiBase().replaceFirst("http://", "")));
    }

    private CredentialRef.GitHubApp ref(Path key) {
        return new CredentialRef.GitHubApp("1234", INSTALLATION, key.toString(), github.apiBase());
    }
}
